using System.Globalization;

namespace SaeAudit.Reporting.Charts;

/// <summary>Tick values on 1-2-5 steps and their compact labels ("0.5", "25", "16k", "2.5M", "1e-05").</summary>
public static class NiceTicks
{
    /// <summary>The smallest 1, 2 or 5 × 10^k step that divides <paramref name="span"/> into at most about
    /// <paramref name="target"/> intervals.</summary>
    public static double Step(double span, int target)
    {
        if (!(span > 0) || !double.IsFinite(span)) return 1;
        var raw = span / Math.Max(1, target);
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var normalized = raw / magnitude;
        // A hair of tolerance so a raw step of exactly 2 (or 5) is not bumped up by rounding noise.
        var factor = normalized <= 1.000001 ? 1 : normalized <= 2.000001 ? 2 : normalized <= 5.000001 ? 5 : 10;
        return factor * magnitude;
    }

    /// <summary>Multiples of <paramref name="step"/> within [min, max] (edges included within rounding).</summary>
    public static IReadOnlyList<double> Within(double min, double max, double step)
    {
        var tolerance = step * 1e-9;
        var first = Math.Ceiling((min - tolerance) / step);
        var last = Math.Floor((max + tolerance) / step);
        var values = new List<double>();
        for (var k = first; k <= last; k++) values.Add(Clean(k * step, step));
        return values;
    }

    /// <summary>[min, max] widened to the enclosing multiples of the step chosen for it.</summary>
    public static (double Min, double Max, double Step) Snap(double min, double max, int target)
    {
        var step = Step(max - min, target);
        var lo = Clean(Math.Floor(min / step + 1e-9) * step, step);
        var hi = Clean(Math.Ceiling(max / step - 1e-9) * step, step);
        return (lo, hi, step);
    }

    /// <summary>Ticks of a log10 axis over [min, max]: every power of ten, with the 2× and 5× multiples added when
    /// the axis spans two decades or less (otherwise there would be too few ticks to read).</summary>
    public static IReadOnlyList<double> Log(double min, double max)
    {
        var from = (int)Math.Floor(Math.Log10(min) + 1e-9);
        var to = (int)Math.Ceiling(Math.Log10(max) - 1e-9);
        int[] multiples = to - from <= 2 ? [1, 2, 5] : [1];
        var values = new List<double>();
        for (var exponent = from; exponent <= to; exponent++)
        {
            foreach (var m in multiples)
            {
                var value = double.Parse($"{m}e{exponent}", CultureInfo.InvariantCulture); // exact decimal, no drift
                if (value >= min * (1 - 1e-9) && value <= max * (1 + 1e-9)) values.Add(value);
            }
        }
        return values;
    }

    /// <summary>Labels for linear ticks spaced <paramref name="step"/> apart: as many decimals as the step needs, and
    /// a k/M suffix for large round values.</summary>
    public static IReadOnlyList<string> LinearLabels(IReadOnlyList<double> values, double step)
    {
        var largest = values.Count == 0 ? 0 : values.Max(Math.Abs);
        var (divisor, suffix) = largest >= 1e6 && step >= 1e5 ? (1e6, "M") : largest >= 1e4 && step >= 1e3 ? (1e3, "k") : (1, "");
        var decimals = Decimals(step / divisor);
        return values.Select(v => (v / divisor).ToString("F" + decimals, CultureInfo.InvariantCulture) + (v == 0 ? "" : suffix)).ToArray();
    }

    /// <summary>A log-axis label: 1, 20, 500, 1k, 20k, 1M, 0.1, 0.005, 1e-05.</summary>
    public static string LogLabel(double value)
    {
        if (value >= 1e6) return Compact(value / 1e6) + "M";
        if (value >= 1e3) return Compact(value / 1e3) + "k";
        if (value >= 1e-3) return Compact(value);
        return value.ToString("0.#e+00", CultureInfo.InvariantCulture);
    }

    private static string Compact(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static int Decimals(double step) => Math.Max(0, (int)-Math.Floor(Math.Log10(step) + 1e-9));

    /// <summary>k·step without floating noise (0.30000000000000004 → 0.3) and without "-0".</summary>
    private static double Clean(double value, double step)
    {
        var rounded = Math.Round(value, Math.Min(15, Decimals(step) + 2));
        return rounded == 0 ? 0 : rounded;
    }
}
