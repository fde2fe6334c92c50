using System.Globalization;

namespace SaeAudit.Reporting.Charts;

/// <summary>An opaque sRGB colour.</summary>
public readonly record struct ChartColor(byte R, byte G, byte B)
{
    /// <summary>"#0072B2".</summary>
    public string Hex => $"#{R:X2}{G:X2}{B:X2}";

    public static ChartColor FromHex(string hex)
    {
        var digits = hex.TrimStart('#');
        if (digits.Length != 6 || !int.TryParse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var rgb))
            throw new FormatException($"'{hex}' is not a #RRGGBB colour");
        return new ChartColor((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);
    }

    public override string ToString() => Hex;
}

/// <summary>The one palette of every chart: Okabe–Ito (distinguishable with the common colour-vision deficiencies),
/// plus neutral greys for the frame. Base is always blue and finetune always vermillion.</summary>
public static class ChartPalette
{
    public static readonly ChartColor Base = ChartColor.FromHex("#0072B2");
    public static readonly ChartColor Finetune = ChartColor.FromHex("#D55E00");
    public static readonly ChartColor Green = ChartColor.FromHex("#009E73");
    public static readonly ChartColor Orange = ChartColor.FromHex("#E69F00");
    public static readonly ChartColor SkyBlue = ChartColor.FromHex("#56B4E9");
    public static readonly ChartColor Purple = ChartColor.FromHex("#CC79A7");

    /// <summary>A single series that is neither base nor finetune (e.g. a base-vs-finetune comparison).</summary>
    public static readonly ChartColor Neutral = ChartColor.FromHex("#4D4D4D");

    public static readonly ChartColor Background = ChartColor.FromHex("#FFFFFF");
    public static readonly ChartColor Text = ChartColor.FromHex("#1A1A1A");
    public static readonly ChartColor MutedText = ChartColor.FromHex("#595959");
    public static readonly ChartColor Axis = ChartColor.FromHex("#4D4D4D");
    public static readonly ChartColor Grid = ChartColor.FromHex("#E6E6E6");
}
