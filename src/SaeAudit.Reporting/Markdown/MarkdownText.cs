using System.Text;
using SaeAudit.Reporting.Model;

namespace SaeAudit.Reporting.Markdown;

/// <summary>GitHub-flavoured Markdown building blocks: tables, badges, code spans, and the final tidy-up.</summary>
internal static class MarkdownText
{
    /// <summary>"✅ PASS" / "❌ FAIL": emoji read at a glance on GitHub and keep the word for screen readers and
    /// plain-text viewers. Any other text is returned as it is.</summary>
    public static string Badge(string status) => status switch
    {
        "PASS" => "✅ PASS",
        "FAIL" => "❌ FAIL",
        _ => status,
    };

    public static string Badge(bool passed) => Badge(passed ? "PASS" : "FAIL");

    /// <summary>A GitHub table: number columns right-aligned, code columns as code spans, every cell escaped so a
    /// '|' or a line break cannot split it. Cells of the column headed <paramref name="badgeColumn"/> (if any) are
    /// shown as badges.</summary>
    public static string Table(ReportTable table, string? badgeColumn = null)
    {
        var builder = new StringBuilder();
        builder.Append("| ").AppendJoin(" | ", table.Columns.Select(c => Cell(c.Header))).Append(" |\n");
        builder.Append('|').AppendJoin('|', table.Columns.Select(c => c.Kind == ColumnKind.Number ? "---:" : "---")).Append("|\n");
        foreach (var row in table.Rows)
        {
            var cells = row.Select((text, i) => table.Columns[i] switch
            {
                { Header: var header } when header == badgeColumn => Cell(Badge(text)),
                { Kind: ColumnKind.Code } => CodeCell(text),
                _ => Cell(text),
            });
            builder.Append("| ").AppendJoin(" | ", cells).Append(" |\n");
        }
        return builder.ToString();
    }

    /// <summary>Normalizes a rendered document so templates need not count blank lines: trailing spaces are removed,
    /// runs of blank lines become one (never inside a fenced code block, where they are content), and the text ends
    /// with exactly one newline.</summary>
    public static string Tidy(string markdown)
    {
        var output = new StringBuilder(markdown.Length);
        var inFence = false;
        var previousBlank = true; // drops blank lines at the very top
        foreach (var raw in markdown.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = inFence ? raw : raw.TrimEnd();
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) inFence = !inFence;
            var blank = line.Length == 0;
            if (blank && previousBlank && !inFence) continue;
            output.Append(line).Append('\n');
            previousBlank = blank;
        }
        return output.ToString().TrimEnd('\n') + "\n";
    }

    /// <summary>Table-cell text: '|' escaped (GitHub splits cells on it even inside code spans), line breaks as
    /// spaces, an empty cell kept as a space so the row keeps its column count.</summary>
    private static string Cell(string text) =>
        text.Length == 0 ? " " : text.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>A verbatim value as a code span; one containing a backtick is fenced with two.</summary>
    private static string CodeCell(string text)
    {
        if (text.Length == 0) return " ";
        var fence = text.Contains('`') ? "``" : "`";
        var pad = text.Contains('`') ? " " : "";
        return fence + pad + Cell(text) + pad + fence;
    }
}
