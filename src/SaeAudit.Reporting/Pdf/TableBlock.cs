using PdfSharp.Drawing;
using SaeAudit.Reporting.Model;
using static SaeAudit.Reporting.Pdf.PdfTheme;

namespace SaeAudit.Reporting.Pdf;

/// <summary>Draws a <see cref="ReportTable"/> across the text width in the booktabs manner: rules above and below
/// the table and under the header, no vertical rules, zebra rows to guide the eye across. Column widths come from
/// the content; numbers are right-aligned and never wrapped, prose and identifiers wrap inside their column. A table
/// that runs off the page continues on the next with its caption and header repeated; one of up to 60% of a page is
/// kept whole.</summary>
internal static class TableBlock
{
    private const double PadX = 5;
    private const double PadY = 3.2;
    private const string EmptyText = "none";
    private const int MinimumRowsBeforeBreak = 3;
    private const double KeepTogetherShare = 0.6;
    private const double CaptionHeight = SmallLeading + 2;

    public static void Draw(PageFlow flow, ReportTable table, string? caption = null)
    {
        var (widths, header, rows) = Layout(flow, table);
        var kinds = table.Columns.Select(c => c.Kind).ToArray();
        flow.EnsureSpace(KeepHeight(flow, header, rows, caption));
        if (caption is not null) DrawCaption(flow, caption);
        DrawHeader(flow, header, widths, kinds);

        for (var r = 0; r < rows.Count; r++)
        {
            var height = RowHeight(rows[r]);
            if (height > flow.Remaining)
            {
                Rule(flow, 0.9);
                flow.NewPage();
                if (caption is not null) DrawCaption(flow, caption + " (continued)");
                DrawHeader(flow, header, widths, kinds);
            }
            if (r % 2 == 1)
                flow.Graphics.DrawRectangle(new XSolidBrush(Zebra), flow.Left, flow.Y, flow.Width, height);
            DrawCells(flow, rows[r], widths, kinds);
            flow.Advance(height);
        }
        Rule(flow, 0.9);
        flow.Advance(10);
    }

    /// <summary>The height that must fit below the cursor before the table starts: all of it for a table up to 60%
    /// of a page (which moves whole to the next page rather than split), else its caption, header and first
    /// <see cref="MinimumRowsBeforeBreak"/> rows.</summary>
    public static double KeepHeight(PageFlow flow, ReportTable table, string? caption)
    {
        var (_, header, rows) = Layout(flow, table);
        return KeepHeight(flow, header, rows, caption);
    }

    private static double KeepHeight(PageFlow flow, Cell[] header, IReadOnlyList<Cell[]> rows, string? caption)
    {
        var top = (caption is null ? 0 : CaptionHeight) + RowHeight(header);
        var total = top + rows.Sum(RowHeight);
        return total <= flow.BodyHeight * KeepTogetherShare ? total : top + rows.Take(MinimumRowsBeforeBreak).Sum(RowHeight);
    }

    private static (double[] Widths, Cell[] Header, IReadOnlyList<Cell[]> Rows) Layout(PageFlow flow, ReportTable table)
    {
        var g = flow.Graphics;
        var widths = ColumnWidths(g, table, flow.Width);
        var header = table.Columns.Select((column, c) => Wrap(g, column.Header, TableBold, widths[c])).ToArray();
        // An empty table still shows its header, over a single "none".
        IEnumerable<IReadOnlyList<string>> cells = table.IsEmpty
            ? [table.Columns.Select((_, c) => c == 0 ? EmptyText : "").ToArray()]
            : table.Rows;
        var rows = cells
            .Select(row => row.Select((cell, c) => Wrap(g, cell, CellFont(table.Columns[c].Kind), widths[c])).ToArray())
            .ToList();
        return (widths, header, rows);
    }

    private static XFont CellFont(ColumnKind kind) => kind == ColumnKind.Code ? Code : Table;

    private static Cell Wrap(XGraphics g, string text, XFont font, double width) =>
        new(TextWrap.Lines(g, text, font, width - 2 * PadX), font);

    private static double RowHeight(Cell[] cells) => cells.Max(c => c.Lines.Count) * TableLeading + 2 * PadY;

    private static void DrawCaption(PageFlow flow, string caption)
    {
        flow.Graphics.DrawString(caption, SmallBold, new XSolidBrush(PdfTheme.Text), flow.Left,
            TextBlocks.Baseline(flow.Y, SmallSize, SmallLeading));
        flow.Advance(CaptionHeight);
    }

    private static void DrawHeader(PageFlow flow, Cell[] header, double[] widths, ColumnKind[] kinds)
    {
        Rule(flow, 0.9);
        DrawCells(flow, header, widths, kinds);
        flow.Advance(RowHeight(header));
        Rule(flow, 0.5);
    }

    private static void Rule(PageFlow flow, double thickness) =>
        flow.Graphics.DrawLine(new XPen(PdfTheme.Text, thickness), flow.Left, flow.Y, flow.Right, flow.Y);

    /// <summary>One row's cells, top-aligned. A cell reading exactly PASS or FAIL is set bold in its verdict
    /// colour, so outcomes stand out in any table.</summary>
    private static void DrawCells(PageFlow flow, Cell[] cells, double[] widths, ColumnKind[] kinds)
    {
        var g = flow.Graphics;
        var x = flow.Left;
        for (var c = 0; c < cells.Length; c++)
        {
            var (lines, font) = (cells[c].Lines, cells[c].Font);
            XBrush brush = new XSolidBrush(PdfTheme.Text);
            if (lines is [var only] && StatusOf(only) is { } passed)
            {
                font = TableBold;
                brush = new XSolidBrush(Verdict(passed));
            }
            for (var i = 0; i < lines.Count; i++)
            {
                var baseline = TextBlocks.Baseline(flow.Y + PadY + i * TableLeading, TableSize, TableLeading);
                if (kinds[c] == ColumnKind.Number)
                    PageFlow.DrawRight(g, lines[i], font, brush, x + widths[c] - PadX, baseline);
                else
                    g.DrawString(lines[i], font, brush, x + PadX, baseline);
            }
            x += widths[c];
        }
    }

    private static bool? StatusOf(string text) => text switch
    {
        ReportModelBuilder.PassText => true,
        ReportModelBuilder.FailText => false,
        _ => null,
    };

    /// <summary>Widths that fill <paramref name="available"/>. Each column wants its widest unwrapped cell
    /// (natural width) and needs its longest unbreakable piece (minimum; a number's minimum is its natural width).
    /// When the natural widths fit, the slack is shared out in proportion to them; otherwise every column gets its
    /// minimum and the rest is filled from the most modest wish up, so only the columns that want the most
    /// wrap.</summary>
    private static double[] ColumnWidths(XGraphics g, ReportTable table, double available)
    {
        var count = table.Columns.Count;
        var natural = new double[count];
        var minimum = new double[count];
        for (var c = 0; c < count; c++)
        {
            var column = table.Columns[c];
            var font = CellFont(column.Kind);
            natural[c] = TextWrap.Width(g, column.Header, TableBold);
            minimum[c] = TextWrap.LongestUnbreakable(g, column.Header, TableBold);
            foreach (var row in table.Rows)
            {
                natural[c] = Math.Max(natural[c], TextWrap.Width(g, row[c], font));
                minimum[c] = Math.Max(minimum[c], column.Kind == ColumnKind.Number
                    ? TextWrap.Width(g, row[c], font)
                    : TextWrap.LongestUnbreakable(g, row[c], font));
            }
            natural[c] += 2 * PadX;
            minimum[c] = Math.Min(minimum[c] + 2 * PadX, natural[c]);
        }

        var naturalTotal = natural.Sum();
        if (naturalTotal <= available)
            return natural.Select(w => w * available / naturalTotal).ToArray();
        var minimumTotal = minimum.Sum();
        if (minimumTotal >= available)
            return minimum.Select(w => w * available / minimumTotal).ToArray();
        // Water-filling: columns that want little more than their minimum (a metric path, a verdict) get all of
        // it; the space left is split evenly among those that want more (long prose or names), which wrap.
        var widths = (double[])minimum.Clone();
        var budget = available - minimumTotal;
        var wanting = Enumerable.Range(0, count).OrderBy(c => natural[c] - minimum[c]).ToArray();
        for (var i = 0; i < wanting.Length; i++)
        {
            var c = wanting[i];
            var give = Math.Min(budget / (wanting.Length - i), natural[c] - minimum[c]);
            widths[c] += give;
            budget -= give;
        }
        return widths;
    }

    private sealed record Cell(IReadOnlyList<string> Lines, XFont Font);
}
