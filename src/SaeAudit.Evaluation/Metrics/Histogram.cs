using System.Text.Json.Serialization;

namespace SaeAudit.Evaluation.Metrics;

/// <summary>Fixed-bin histogram of SPEC §8 with numpy.histogram semantics (§12): edges lo + i·(hi−lo)/n computed as
/// numpy.linspace does (so they equal numpy's bit for bit), bins [e_i, e_i+1) except the last, which includes hi;
/// underflow = x &lt; lo, overflow = x &gt; hi; NaN is left out.</summary>
public sealed class Histogram
{
    private readonly double[] _edges;
    private readonly long[] _counts;
    private long _underflow;
    private long _overflow;

    public Histogram(double lo, double hi, int bins)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), "a histogram needs at least one bin");
        if (!(hi > lo)) throw new ArgumentException($"histogram range [{lo}, {hi}] is empty");
        _edges = LinspaceEdges(lo, hi, bins);
        _counts = new long[bins];
    }

    public double Low => _edges[0];

    public double High => _edges[^1];

    public int Bins => _counts.Length;

    public void Add(double value)
    {
        if (double.IsNaN(value)) return;
        if (value < Low)
        {
            _underflow++;
            return;
        }
        if (value > High)
        {
            _overflow++;
            return;
        }
        _counts[BinIndex(value)]++;
    }

    public HistogramResult Result() => new((double[])_edges.Clone(), (long[])_counts.Clone(), _underflow, _overflow);

    /// <summary>numpy.linspace(lo, hi, bins + 1): step = (hi−lo)/bins, e_i = i·step + lo, last edge = hi.</summary>
    internal static double[] LinspaceEdges(double lo, double hi, int bins)
    {
        var edges = new double[bins + 1];
        var step = (hi - lo) / bins;
        for (var i = 0; i < bins; i++) edges[i] = i * step + lo;
        edges[bins] = hi;
        return edges;
    }

    /// <summary>Bin of a value in [lo, hi]: an arithmetic estimate, then corrected against the stored edges, because
    /// the estimate can be one bin off within an ulp of an edge (numpy does the same correction).</summary>
    private int BinIndex(double value)
    {
        var last = _counts.Length - 1;
        var estimate = (value - Low) / (High - Low) * _counts.Length;
        var index = estimate >= last ? last : (int)estimate;
        while (index > 0 && value < _edges[index]) index--;
        while (index < last && value >= _edges[index + 1]) index++;
        return index;
    }
}

/// <summary>A histogram in the results file: edges[n+1], counts[n], underflow, overflow.</summary>
public sealed record HistogramResult(
    [property: JsonPropertyName("edges")] double[] Edges,
    [property: JsonPropertyName("counts")] long[] Counts,
    [property: JsonPropertyName("underflow")] long Underflow,
    [property: JsonPropertyName("overflow")] long Overflow);
