using SaeAudit.Evaluation.Metrics;

namespace SaeAudit.Reporting.Charts;

/// <summary>One histogram: fixed bin edges (n + 1) and counts (n), plus the values that fell outside the edges.</summary>
public sealed record HistogramSeries
{
    public HistogramSeries(string name, ChartColor color, IReadOnlyList<double> edges, IReadOnlyList<long> counts,
        long underflow = 0, long overflow = 0)
    {
        if (counts.Count == 0 || edges.Count != counts.Count + 1)
            throw new ArgumentException($"a histogram needs n + 1 edges for n ≥ 1 counts, got {edges.Count} edges and {counts.Count} counts");
        Name = name;
        Color = color;
        Edges = edges;
        Counts = counts;
        Underflow = underflow;
        Overflow = overflow;
    }

    public string Name { get; }

    public ChartColor Color { get; }

    public IReadOnlyList<double> Edges { get; }

    public IReadOnlyList<long> Counts { get; }

    public long Underflow { get; }

    public long Overflow { get; }

    public static HistogramSeries From(string name, ChartColor color, HistogramResult histogram) =>
        new(name, color, histogram.Edges, histogram.Counts, histogram.Underflow, histogram.Overflow);
}

/// <summary>One or more histograms over the same bins, overlaid (e.g. base vs finetune). Values outside the bins are
/// named in the caption, since the bars cannot show them.</summary>
public sealed record HistogramChart : Chart
{
    public HistogramChart(string id, string title, ChartAxis x, ChartAxis y, IReadOnlyList<HistogramSeries> series)
        : base(id, title, x, y)
    {
        if (series.Count == 0) throw new ArgumentException("a histogram chart needs a series", nameof(series));
        Series = series;
    }

    public IReadOnlyList<HistogramSeries> Series { get; }

    /// <summary>Reference values drawn over the bars; those outside the bins are not drawn.</summary>
    public IReadOnlyList<ChartMarker> Markers { get; init; } = [];

    public override IReadOnlyList<LegendEntry> Legend =>
        Series.Count > 1 ? Series.Select(s => new LegendEntry(s.Name, s.Color)).ToArray() : [];

    public override IReadOnlyList<string> Caption => OutOfRange is { } note ? [.. base.Caption, note] : base.Caption;

    /// <summary>"Outside the bins: base 246 below; finetune 243 below, 2 above", or null when every value is in a bin.</summary>
    public string? OutOfRange
    {
        get
        {
            var parts = Series.Where(s => s.Underflow > 0 || s.Overflow > 0).Select(s =>
            {
                var counts = new List<string>();
                if (s.Underflow > 0) counts.Add($"{NumberFormat.Format(s.Underflow)} below");
                if (s.Overflow > 0) counts.Add($"{NumberFormat.Format(s.Overflow)} above");
                var what = string.Join(", ", counts);
                return Series.Count > 1 ? $"{s.Name} {what}" : what;
            }).ToArray();
            return parts.Length == 0 ? null : "Outside the bins: " + string.Join("; ", parts);
        }
    }
}
