using System.Globalization;

namespace SaeAudit.Cli.Reporting;

/// <summary>The one way the console prints a measured number: 4 significant digits, fixed-point between 0.001 and
/// 10⁶ (0.9889, 24.63, 523.7, 16440), scientific outside it (4.308e-04), so columns read alike across pairs.</summary>
internal static class Numbers
{
    private const int SignificantDigits = 4;

    public static string Format(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        if (value == 0) return "0";
        var magnitude = Math.Abs(value);
        if (magnitude < 1e-3 || magnitude >= 1e6)
            return value.ToString("0.000e+00", CultureInfo.InvariantCulture);
        var exponent = (int)Math.Floor(Math.Log10(magnitude));
        var decimals = Math.Max(0, SignificantDigits - 1 - exponent);
        var rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        // Rounding may carry into the next power of ten (9.9996 -> 10.000): one decimal fewer keeps 4 digits.
        if (decimals > 0 && Math.Abs(rounded) >= Math.Pow(10, exponent + 1)) decimals--;
        return rounded.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    /// <summary>A gate bound, echoed as the manifest wrote it (shortest round-trip form: 0.8, not 0.8000).</summary>
    public static string Bound(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
