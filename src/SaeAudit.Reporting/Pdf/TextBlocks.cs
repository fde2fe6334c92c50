using PdfSharp.Drawing;
using static SaeAudit.Reporting.Pdf.PdfTheme;

namespace SaeAudit.Reporting.Pdf;

/// <summary>Headings, paragraphs, notes and badges flowed through a <see cref="PageFlow"/>.</summary>
internal static class TextBlocks
{
    // DejaVu Sans's ascent and descent (hhea, per em): used to centre a line's glyphs in its leading.
    private const double Ascent = 0.928;
    private const double Descent = 0.236;

    private const double CalloutPadX = 10;
    private const double CalloutPadY = 6;
    private const double CalloutBar = 3;

    /// <summary>The baseline of a line of <paramref name="size"/> pt text whose line box of height
    /// <paramref name="leading"/> starts at <paramref name="top"/>.</summary>
    public static double Baseline(double top, double size, double leading) =>
        top + (leading - (Ascent + Descent) * size) / 2 + Ascent * size;

    /// <summary>A heading kept on the page with at least <paramref name="keepWithNext"/> points of what follows, so
    /// it never ends a page alone. A <paramref name="number"/> ("2.3") hangs left of the text, whose wrapped lines
    /// align after it. Levels 1 and 2 become bookmarks. <paramref name="reserveRight"/> keeps room at the right of
    /// the text (for a badge).</summary>
    public static void Heading(PageFlow flow, string? number, string text, int level, double keepWithNext = 60,
        double reserveRight = 0)
    {
        var style = PdfTheme.Heading(level);
        var g = flow.Graphics;
        var hang = number is null ? 0 : TextWrap.Width(g, number, style.Font) + style.Font.Size * 0.75;
        flow.Space(style.SpaceBefore);
        var lines = TextWrap.Lines(g, text, style.Font, flow.Width - hang - reserveRight);
        var height = lines.Count * style.Leading + (style.Rule ? 6 : 0) + style.SpaceAfter;
        flow.EnsureSpace(height + keepWithNext);
        if (level <= 2) flow.Bookmark(number is null ? text : $"{number} {text}", level);
        var brush = new XSolidBrush(PdfTheme.Text);
        if (number is not null)
            flow.Graphics.DrawString(number, style.Font, brush, flow.Left, Baseline(flow.Y, style.Font.Size, style.Leading));
        foreach (var line in lines)
        {
            flow.Graphics.DrawString(line, style.Font, brush, flow.Left + hang, Baseline(flow.Y, style.Font.Size, style.Leading));
            flow.Advance(style.Leading);
        }
        if (style.Rule)
        {
            flow.Advance(3);
            flow.Graphics.DrawLine(new XPen(Accent, 1.2), flow.Left, flow.Y, flow.Right, flow.Y);
            flow.Advance(3);
        }
        flow.Advance(style.SpaceAfter);
    }

    /// <summary>Wrapped text, line by line, breaking pages between lines (never fewer than two lines at a page's
    /// foot). An optional bold <paramref name="lead"/> starts the first line.</summary>
    public static void Paragraph(PageFlow flow, string text, XFont? font = null, XColor? color = null,
        double? leading = null, double indent = 0, string? lead = null, double spaceAfter = 6)
    {
        font ??= Body;
        var lineHeight = leading ?? BodyLeading;
        var brush = new XSolidBrush(color ?? PdfTheme.Text);
        var leadFont = SansBold(font.Size);
        if (LeadOnOwnLines(flow, lead, font, indent))
        {
            Paragraph(flow, lead!, leadFont, color, leading, indent, spaceAfter: 0);
            lead = null;
        }
        var (lines, leadWidth) = ParagraphLines(flow, text, font, indent, lead);
        flow.EnsureSpace(Math.Min(lines.Count, 2) * lineHeight);
        for (var i = 0; i < lines.Count; i++)
        {
            flow.EnsureSpace(lineHeight);
            var baseline = Baseline(flow.Y, font.Size, lineHeight);
            var x = flow.Left + indent;
            if (i == 0 && lead is not null)
            {
                flow.Graphics.DrawString(lead, leadFont, brush, x, baseline);
                x += leadWidth;
            }
            flow.Graphics.DrawString(lines[i], font, brush, x, baseline);
            flow.Advance(lineHeight);
        }
        flow.Advance(spaceAfter);
    }

    /// <summary>The height <see cref="Paragraph"/> takes, its space after included.</summary>
    public static double ParagraphHeight(PageFlow flow, string text, XFont? font = null, double? leading = null,
        double indent = 0, string? lead = null, double spaceAfter = 6)
    {
        font ??= Body;
        var leadHeight = 0.0;
        if (LeadOnOwnLines(flow, lead, font, indent))
        {
            leadHeight = ParagraphHeight(flow, lead!, SansBold(font.Size), leading, indent, spaceAfter: 0);
            lead = null;
        }
        return leadHeight + ParagraphLines(flow, text, font, indent, lead).Lines.Count * (leading ?? BodyLeading) + spaceAfter;
    }

    /// <summary>A lead-in wider than half the line (a long pair name) gets lines of its own, so the text after it
    /// is not squeezed into what is left of the first line.</summary>
    private static bool LeadOnOwnLines(PageFlow flow, string? lead, XFont font, double indent) =>
        lead is not null && TextWrap.Width(flow.Graphics, lead + " ", SansBold(font.Size)) > (flow.Width - indent) / 2;

    private static (IReadOnlyList<string> Lines, double LeadWidth) ParagraphLines(PageFlow flow, string text, XFont font,
        double indent, string? lead)
    {
        var leadWidth = lead is null ? 0 : TextWrap.Width(flow.Graphics, lead + " ", SansBold(font.Size));
        return (TextWrap.Lines(flow.Graphics, text, font, flow.Width - indent, leadWidth), leadWidth);
    }

    /// <summary>A tinted box with a coloured bar on its left: notes and caveats that qualify the numbers above
    /// them, and the verdict of a pair.</summary>
    public static void Callout(PageFlow flow, string text, XColor tint, XColor bar, string? lead = null,
        double spaceAfter = 8)
    {
        var g = flow.Graphics;
        var (lines, leadWidth) = CalloutLines(flow, text, lead);
        var height = lines.Count * BodyLeading + 2 * CalloutPadY;
        flow.EnsureSpace(height);
        var top = flow.Y;
        g.DrawRectangle(new XSolidBrush(tint), flow.Left, top, flow.Width, height);
        g.DrawRectangle(new XSolidBrush(bar), flow.Left, top, CalloutBar, height);
        var brush = new XSolidBrush(PdfTheme.Text);
        var y = top + CalloutPadY;
        for (var i = 0; i < lines.Count; i++)
        {
            var x = flow.Left + CalloutBar + CalloutPadX;
            var baseline = Baseline(y, BodySize, BodyLeading);
            if (i == 0 && lead is not null)
            {
                g.DrawString(lead, BodyBold, brush, x, baseline);
                x += leadWidth;
            }
            g.DrawString(lines[i], Body, brush, x, baseline);
            y += BodyLeading;
        }
        flow.Advance(height + spaceAfter);
    }

    /// <summary>The height <see cref="Callout"/> takes, its space after included.</summary>
    public static double CalloutHeight(PageFlow flow, string text, string? lead = null, double spaceAfter = 8) =>
        CalloutLines(flow, text, lead).Lines.Count * BodyLeading + 2 * CalloutPadY + spaceAfter;

    private static (IReadOnlyList<string> Lines, double LeadWidth) CalloutLines(PageFlow flow, string text, string? lead)
    {
        var leadWidth = lead is null ? 0 : TextWrap.Width(flow.Graphics, lead + " ", BodyBold);
        return (TextWrap.Lines(flow.Graphics, text, Body, flow.Width - CalloutBar - 2 * CalloutPadX, leadWidth), leadWidth);
    }

    /// <summary>A filled PASS/FAIL label with its top-left corner at (<paramref name="x"/>, <paramref name="top"/>);
    /// returns its width.</summary>
    public static double Badge(XGraphics g, string status, bool passed, double x, double top, XFont font)
    {
        var padX = font.Size * 0.6;
        var width = TextWrap.Width(g, status, font) + 2 * padX;
        var height = font.Size * 1.55;
        g.DrawRoundedRectangle(new XSolidBrush(Verdict(passed)), x, top, width, height, height * 0.35, height * 0.35);
        g.DrawString(status, font, XBrushes.White, x + padX, Baseline(top, font.Size, height));
        return width;
    }

    public static double BadgeHeight(XFont font) => font.Size * 1.55;
}
