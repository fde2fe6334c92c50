using System.Globalization;

namespace SaeAudit.Reporting;

/// <summary>The one place that turns a number into text, for every report (Markdown, PDF, JUnit) and the console, so
/// the same value reads the same everywhere.
/// <list type="bullet">
/// <item>Measured values: 4 significant digits, fixed-point for magnitudes in [0.001, 10⁶) (0.9889, -9.309, 523.7,
/// 16440 — digits left of the point are never dropped), scientific outside it with trailing zeros trimmed (1.2e-05,
/// 4.308e-04, 3.5e+07).</item>
/// <item>Counts (integers): in full (16440, 1000).</item>
/// <item>Percentages of a fraction: 4 significant digits, trailing zeros trimmed (3.174%, 15%, 100%).</item>
/// <item>Gate bounds and other configured values: exactly as written (shortest round-trip: 0.8, 2, 1e-05).</item>
/// <item>NaN and null (an undefined metric, or one that does not apply): "n/a".</item>
/// </list>
/// Rounding is that of .NET's "F" format on the exact binary value (an exact tie such as 0.78125 rounds to even, as
/// Python and numpy print it, so numbers match the reference implementation's). The minus sign is ASCII '-', so a
/// number copied from a report pastes back as a number.</summary>
public static class NumberFormat
{
    public const string NotAvailable = "n/a";

    private const int SignificantDigits = 4;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A measured value with 4 significant digits.</summary>
    public static string Format(double value)
    {
        if (double.IsNaN(value)) return NotAvailable;
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        if (value == 0) return "0";
        var magnitude = Math.Abs(value);
        if (magnitude < 1e-3 || magnitude >= 1e6) return Scientific(value);
        var exponent = (int)Math.Floor(Math.Log10(magnitude));
        var decimals = Math.Max(0, SignificantDigits - 1 - exponent);
        var text = value.ToString("F" + decimals, Invariant);
        // Rounding can carry into the next power of ten (9.99996 -> "10.0000"): one decimal fewer keeps 4 digits.
        if (decimals > 0 && Math.Abs(double.Parse(text, Invariant)) >= Math.Pow(10, exponent + 1))
            text = value.ToString("F" + (decimals - 1), Invariant);
        return text;
    }

    /// <summary>A value the results file may hold as null (NaN, or not applicable such as τ without an outlier
    /// filter).</summary>
    public static string Format(double? value) => value is { } v ? Format(v) : NotAvailable;

    /// <summary>A count, in full.</summary>
    public static string Format(long value) => value.ToString(Invariant);

    /// <summary>A fraction in [0, 1] as a percentage: 0.03174 → "3.174%", 0.15 → "15%", 1 → "100%".</summary>
    public static string Percent(double fraction)
    {
        if (!double.IsFinite(fraction)) return Format(fraction);
        var text = Format(fraction * 100);
        return TrimFractionZeros(text) + "%";
    }

    public static string Percent(double? fraction) => fraction is { } f ? Percent(f) : NotAvailable;

    /// <summary>"0.9947 ± 0.002724".</summary>
    public static string MeanStd(double mean, double std) =>
        double.IsNaN(mean) ? NotAvailable : $"{Format(mean)} ± {Format(std)}";

    /// <summary>A number exactly as given (shortest round-trip form), for values a person typed, such as gate
    /// bounds, so a report shows the bound that was configured and not a rounding of it.</summary>
    public static string Exact(double value) =>
        double.IsNaN(value) ? NotAvailable : value.ToString("R", Invariant).Replace('E', 'e');

    /// <summary>A gate's bound: "≥ 0.8", "≤ 2" or "in [0.9, 2]" (both ends inclusive, as the gate tests them).</summary>
    public static string Bound(double? min, double? max) => (min, max) switch
    {
        ({ } lo, { } hi) => $"in [{Exact(lo)}, {Exact(hi)}]",
        ({ } lo, null) => $"≥ {Exact(lo)}",
        (null, { } hi) => $"≤ {Exact(hi)}",
        _ => "any value",
    };

    /// <summary>Memory in binary units: 1035157504 → "987.2 MiB".</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : $"{Format(value)} {units[unit]}";
    }

    /// <summary>A duration in seconds: "10.41 s".</summary>
    public static string Seconds(double seconds) => double.IsNaN(seconds) ? NotAvailable : $"{Format(seconds)} s";

    /// <summary>Scientific notation with up to 4 significant digits and a two-digit exponent: 1.2e-05, 4.308e-04.
    /// Rounding to 4 digits can carry into the next exponent (9.99996e-05 → 1e-04); .NET's custom format handles
    /// that itself.</summary>
    private static string Scientific(double value) => value.ToString("0.###e+00", Invariant);

    private static string TrimFractionZeros(string text) =>
        text.Contains('.') && !text.Contains('e') ? text.TrimEnd('0').TrimEnd('.') : text;
}
