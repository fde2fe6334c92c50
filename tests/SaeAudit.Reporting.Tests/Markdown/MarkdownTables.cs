using System.Text.RegularExpressions;

namespace SaeAudit.Reporting.Tests.Markdown;

/// <summary>A structural check of GitHub tables in rendered Markdown (no Markdown parser is referenced): a table is a
/// header row, a delimiter row, then body rows; every row must have the header's cell count, counting unescaped '|'.</summary>
internal static partial class MarkdownTables
{
    public static IReadOnlyList<string> Problems(string markdown)
    {
        var problems = new List<string>();
        var lines = markdown.Split('\n');
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            if (!lines[i].StartsWith('|') || !DelimiterRow().IsMatch(lines[i + 1])) continue;
            var columns = Cells(lines[i]);
            if (Cells(lines[i + 1]) != columns) problems.Add($"line {i + 2}: delimiter row has a different cell count");
            var row = i + 2;
            for (; row < lines.Length && lines[row].StartsWith('|'); row++)
            {
                if (Cells(lines[row]) != columns)
                    problems.Add($"line {row + 1}: {Cells(lines[row])} cells, header has {columns}: {lines[row]}");
            }
            if (i > 0 && lines[i - 1].Length != 0) problems.Add($"line {i + 1}: a table must follow a blank line");
            if (row < lines.Length && lines[row].Length != 0) problems.Add($"line {row + 1}: a table must end with a blank line");
            i = row;
        }
        return problems;
    }

    public static int Count(string markdown) =>
        markdown.Split('\n').Zip(markdown.Split('\n').Skip(1)).Count(p => p.First.StartsWith('|') && DelimiterRow().IsMatch(p.Second));

    /// <summary>Cells of "| a | b \| c |": the unescaped pipes minus one.</summary>
    private static int Cells(string row) => UnescapedPipe().Matches(row.Trim()).Count - 1;

    [GeneratedRegex(@"^\|(\s*:?-{3,}:?\s*\|)+$")]
    private static partial Regex DelimiterRow();

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex UnescapedPipe();
}
