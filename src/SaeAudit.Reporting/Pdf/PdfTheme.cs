using PdfSharp.Drawing;
using PdfSharp.Pdf;
using SaeAudit.Reporting.Charts;
using SaeAudit.Reporting.Fonts;

namespace SaeAudit.Reporting.Pdf;

/// <summary>One place for the report's typography, colours and spacing, so every page follows the same scale.
/// Sizes are in points (1/72 in). Body text is 9 pt DejaVu Sans: DejaVu runs wide, so 9 pt reads like 10 pt of a
/// narrower face and keeps dense tables on one line.</summary>
internal static class PdfTheme
{
    // A4 with 20 mm side margins; the header and footer sit in the top and bottom margins.
    public const double PageWidth = 595.28;
    public const double PageHeight = 841.89;
    public const double MarginLeft = 56.7;
    public const double MarginRight = 56.7;
    public const double MarginTop = 70;
    public const double MarginBottom = 62;
    public const double HeaderBaseline = 40;
    public const double FooterBaseline = PageHeight - 34;

    public const double BodySize = 9;
    public const double BodyLeading = 13;
    public const double SmallSize = 7.5;
    public const double SmallLeading = 10;
    public const double TableSize = 8;
    public const double TableLeading = 10.5;
    public const double CodeSize = 7.5;

    public static readonly XColor Text = Color(ChartPalette.Text);
    public static readonly XColor Muted = Color(ChartPalette.MutedText);
    public static readonly XColor Rule = XColor.FromArgb(0xBF, 0xBF, 0xBF);
    public static readonly XColor HairRule = XColor.FromArgb(0xDD, 0xDD, 0xDD);
    public static readonly XColor Zebra = XColor.FromArgb(0xF3, 0xF5, 0xF8);
    public static readonly XColor Accent = Color(ChartPalette.Base);

    // Verdict colours: darker than the chart palette's green and vermillion so white type on them passes WCAG AA.
    public static readonly XColor Pass = XColor.FromArgb(0x1B, 0x7F, 0x3B);
    public static readonly XColor Fail = XColor.FromArgb(0xC6, 0x28, 0x28);
    public static readonly XColor PassTint = XColor.FromArgb(0xE8, 0xF5, 0xEC);
    public static readonly XColor FailTint = XColor.FromArgb(0xFD, 0xEC, 0xEA);
    public static readonly XColor NoteTint = XColor.FromArgb(0xFF, 0xF7, 0xE6);
    public static readonly XColor NoteBar = Color(ChartPalette.Orange);

    public static XColor Verdict(bool passed) => passed ? Pass : Fail;

    public static XColor VerdictTint(bool passed) => passed ? PassTint : FailTint;

    public static XColor Color(ChartColor color) => XColor.FromArgb(color.R, color.G, color.B);

    public static XFont Body => Fonts.Value.Body;
    public static XFont BodyBold => Fonts.Value.BodyBold;
    public static XFont Small => Fonts.Value.Small;
    public static XFont SmallBold => Fonts.Value.SmallBold;
    public static XFont Table => Fonts.Value.Table;
    public static XFont TableBold => Fonts.Value.TableBold;
    public static XFont Code => Fonts.Value.Code;

    public static XFont Sans(double size) => Font(PdfFonts.Sans, size, XFontStyleEx.Regular);

    public static XFont SansBold(double size) => Font(PdfFonts.Sans, size, XFontStyleEx.Bold);

    public static XFont Mono(double size) => Font(PdfFonts.Mono, size, XFontStyleEx.Regular);

    // Unicode (Identity-H) encoding for every font: one embedded subset per face, and text that extracts exactly,
    // symbols such as ≥, τ and ‖ included. PDFsharp resolves a font when it is created, so the DejaVu resolver is
    // installed first.
    private static XFont Font(string family, double size, XFontStyleEx style)
    {
        PdfFonts.EnsureInstalled();
        return new XFont(family, size, style, new XPdfFontOptions(PdfFontEncoding.Unicode));
    }

    private static readonly Lazy<FontSet> Fonts = new(() => new FontSet());

    private sealed class FontSet
    {
        public readonly XFont Body = Sans(BodySize);
        public readonly XFont BodyBold = SansBold(BodySize);
        public readonly XFont Small = Sans(SmallSize);
        public readonly XFont SmallBold = SansBold(SmallSize);
        public readonly XFont Table = Sans(TableSize);
        public readonly XFont TableBold = SansBold(TableSize);
        public readonly XFont Code = Mono(CodeSize);
    }

    /// <summary>Heading styles by level (1 = a part of the report, 2 = a section, 3 = a table or figure group).</summary>
    public static HeadingStyle Heading(int level) => level switch
    {
        1 => new HeadingStyle(SansBold(17), Leading: 22, SpaceBefore: 0, SpaceAfter: 10, Rule: true),
        2 => new HeadingStyle(SansBold(12.5), Leading: 16, SpaceBefore: 18, SpaceAfter: 6, Rule: false),
        _ => new HeadingStyle(SansBold(9.5), Leading: 13, SpaceBefore: 10, SpaceAfter: 4, Rule: false),
    };
}

internal sealed record HeadingStyle(XFont Font, double Leading, double SpaceBefore, double SpaceAfter, bool Rule);
