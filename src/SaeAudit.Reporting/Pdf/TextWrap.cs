using System.Text;
using PdfSharp.Drawing;

namespace SaeAudit.Reporting.Pdf;

/// <summary>Greedy word wrap with the font's real advance widths. Words wider than the line (paths, hashes,
/// metric paths) break after a separator (/ _ . - , :) where one fits, else between characters, so nothing is ever
/// clipped or runs past its box.</summary>
internal static class TextWrap
{
    private const string SoftBreaks = "/_.-,:\\";
    private const string Ellipsis = "…";

    /// <summary>The lines of <paramref name="text"/> within <paramref name="width"/>; the first line is
    /// <paramref name="firstIndent"/> narrower (room for a bold lead-in or a badge). '\n' forces a break. An empty
    /// text is one empty line.</summary>
    public static IReadOnlyList<string> Lines(XGraphics g, string text, XFont font, double width, double firstIndent = 0)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.Split('\n'))
            WrapParagraph(g, paragraph, font, width, lines.Count == 0 ? firstIndent : 0, lines);
        return lines;
    }

    public static double Width(XGraphics g, string text, XFont font) =>
        text.Length == 0 ? 0 : g.MeasureString(text, font).Width;

    /// <summary><paramref name="text"/> if it fits in <paramref name="width"/>, else its longest prefix that fits
    /// with "…" appended (for single-line slots such as the running header).</summary>
    public static string Ellipsize(XGraphics g, string text, XFont font, double width)
    {
        if (Width(g, text, font) <= width) return text;
        var keep = text.Length;
        while (keep > 0 && Width(g, text[..keep].TrimEnd() + Ellipsis, font) > width) keep--;
        return text[..keep].TrimEnd() + Ellipsis;
    }

    /// <summary>The widest run that can never be broken by <see cref="Lines"/> without splitting inside a word at
    /// a separator: the narrowest a column of this text can usefully get.</summary>
    public static double LongestUnbreakable(XGraphics g, string text, XFont font)
    {
        double widest = 0;
        var piece = new StringBuilder();
        foreach (var c in text)
        {
            if (c is ' ' or '\n')
            {
                widest = Math.Max(widest, Width(g, piece.ToString(), font));
                piece.Clear();
                continue;
            }
            piece.Append(c);
            if (SoftBreaks.Contains(c))
            {
                widest = Math.Max(widest, Width(g, piece.ToString(), font));
                piece.Clear();
            }
        }
        return Math.Max(widest, Width(g, piece.ToString(), font));
    }

    private static void WrapParagraph(XGraphics g, string paragraph, XFont font, double width, double indent,
        List<string> lines)
    {
        var words = paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var line = "";
        double Available() => width - (lines.Count == 0 ? indent : 0);
        foreach (var word in words)
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (Width(g, candidate, font) <= Available())
            {
                line = candidate;
                continue;
            }
            if (line.Length > 0)
            {
                lines.Add(line);
                line = "";
            }
            var rest = word;
            while (Width(g, rest, font) > Available())
            {
                var (head, tail) = SplitWord(g, rest, font, Available());
                lines.Add(head);
                rest = tail;
            }
            line = rest;
        }
        lines.Add(line);
    }

    /// <summary>The longest prefix of <paramref name="word"/> that fits, cut after a separator when one leaves at
    /// least a third of the line filled: a path separator first (so "/work/main/" stays whole), then any other.
    /// At least one character, so wrapping always progresses.</summary>
    private static (string Head, string Tail) SplitWord(XGraphics g, string word, XFont font, double width)
    {
        var fits = 1;
        while (fits < word.Length && Width(g, word[..(fits + 1)], font) <= width) fits++;
        foreach (var separators in (string[])["/\\", SoftBreaks])
        {
            var soft = word.LastIndexOfAny(separators.ToCharArray(), fits - 1);
            if (soft >= 0 && soft + 1 >= fits / 3.0) return (word[..(soft + 1)], word[(soft + 1)..]);
        }
        return (word[..fits], word[fits..]);
    }
}
