using System.Numerics;
using System.Runtime.InteropServices;

namespace SaeAudit.Evaluation.Metrics;

/// <summary>Shared float64 statistics (SPEC §10: float32 inputs, float64 arithmetic), so every accumulator
/// computes medians, correlations and norms the same way.</summary>
public static class Statistics
{
    /// <summary>Median; an even count gives the mean of the two middle values (SPEC §3, §12). NaN when empty.
    /// Sorts a copy, so the caller's order is kept.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.ToArray();
        if (sorted.Length == 0) return double.NaN;
        Array.Sort(sorted);
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Arithmetic mean; NaN when empty.</summary>
    public static double Mean(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sum = 0.0;
        foreach (var v in values) sum += v;
        return sum / values.Count;
    }

    /// <summary>Two-pass Pearson correlation (centred vectors). NaN when either vector is constant (zero
    /// variance) or the lengths are below 2. Clamped to [-1, 1] against rounding, as numpy.corrcoef does.</summary>
    public static double Pearson(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("Pearson needs vectors of equal length");
        var n = a.Length;
        if (n < 2) return double.NaN;
        double meanA = 0, meanB = 0;
        for (var i = 0; i < n; i++)
        {
            meanA += a[i];
            meanB += b[i];
        }
        meanA /= n;
        meanB /= n;
        double cov = 0, varA = 0, varB = 0;
        for (var i = 0; i < n; i++)
        {
            var da = a[i] - meanA;
            var db = b[i] - meanB;
            cov += da * db;
            varA += da * da;
            varB += db * db;
        }
        return Correlation(cov, varA, varB);
    }

    /// <summary>Pearson correlation from streamed sums over <paramref name="n"/> samples (Σa, Σb, Σa², Σb², Σab).
    /// NaN (undefined) when a variance is zero up to rounding: a variance below 1e-12 of its raw second moment can
    /// only come from cancellation of a constant vector.</summary>
    public static double PearsonFromSums(long n, double sumA, double sumB, double sumAA, double sumBB, double sumAB)
    {
        if (n < 2) return double.NaN;
        var varA = sumAA - sumA * sumA / n;
        var varB = sumBB - sumB * sumB / n;
        if (!(varA > 1e-12 * sumAA) || !(varB > 1e-12 * sumBB)) return double.NaN;
        var cov = sumAB - sumA * sumB / n;
        return Correlation(cov, varA, varB);
    }

    private static double Correlation(double cov, double varA, double varB)
    {
        if (!(varA > 0) || !(varB > 0)) return double.NaN;
        return Math.Clamp(cov / Math.Sqrt(varA * varB), -1.0, 1.0);
    }

    /// <summary>Euclidean norm in float64 of a float32 vector.</summary>
    public static double Norm(ReadOnlySpan<float> x) => Math.Sqrt(SquaredNorm(x));

    /// <summary>Σ x² in float64 of a float32 vector (each square is exact in float64).</summary>
    public static double SquaredNorm(ReadOnlySpan<float> x)
    {
        var sum = 0.0;
        foreach (var v in x) sum += (double)v * v;
        return sum;
    }

    /// <summary>Index of the next entry after <paramref name="after"/> whose bits are not zero, or −1: a vectorized
    /// scan for the nonzero activations of a sparse feature row (−0 is returned too; callers compare values).</summary>
    public static int NextNonzero(ReadOnlySpan<float> values, int after)
    {
        var next = MemoryMarshal.Cast<float, int>(values)[(after + 1)..].IndexOfAnyExcept(0);
        return next < 0 ? -1 : after + 1 + next;
    }

    /// <summary>Widens float32 values to float64 (exact).</summary>
    public static void Widen(ReadOnlySpan<float> source, Span<double> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination too short");
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<float>.Count;
            for (; i <= source.Length - width; i += width)
            {
                Vector.Widen(new Vector<float>(source[i..]), out var low, out var high);
                low.CopyTo(destination[i..]);
                high.CopyTo(destination[(i + Vector<double>.Count)..]);
            }
        }
        for (; i < source.Length; i++) destination[i] = source[i];
    }
}

/// <summary>Running mean and population variance (Welford), accumulated in a fixed order.</summary>
public struct RunningMoments
{
    private double _mean;
    private double _m2;

    public long Count { get; private set; }

    public void Add(double value)
    {
        Count++;
        var delta = value - _mean;
        _mean += delta / Count;
        _m2 += delta * (value - _mean);
    }

    public readonly double Mean => Count == 0 ? double.NaN : _mean;

    /// <summary>Population standard deviation (divide by N, SPEC §12).</summary>
    public readonly double PopulationStd => Count == 0 ? double.NaN : Math.Sqrt(_m2 / Count);
}
