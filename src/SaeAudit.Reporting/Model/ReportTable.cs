namespace SaeAudit.Reporting.Model;

/// <summary>How a column's cells are meant to be shown; each renderer maps it to its own means (Markdown: alignment
/// and code spans; PDF: alignment and the monospace font).</summary>
public enum ColumnKind
{
    /// <summary>Prose or a label: left-aligned.</summary>
    Text,

    /// <summary>A formatted number: right-aligned so digits line up.</summary>
    Number,

    /// <summary>An identifier to copy verbatim (metric path, file path, hash): monospace, left-aligned.</summary>
    Code,
}

public sealed record ReportColumn(string Header, ColumnKind Kind)
{
    public static ReportColumn Text(string header) => new(header, ColumnKind.Text);

    public static ReportColumn Number(string header) => new(header, ColumnKind.Number);

    public static ReportColumn Code(string header) => new(header, ColumnKind.Code);
}

/// <summary>A table whose cells are already formatted text (numbers through <see cref="NumberFormat"/>), so every
/// report shows the same characters. Every row has exactly one cell per column. <see cref="Caption"/> names the table
/// where a section holds more than one.</summary>
public sealed record ReportTable
{
    public ReportTable(IReadOnlyList<ReportColumn> columns, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var ragged = rows.FirstOrDefault(row => row.Count != columns.Count);
        if (ragged is not null)
            throw new ArgumentException(
                $"a row has {ragged.Count} cells but the table has {columns.Count} columns: {string.Join(" | ", ragged)}",
                nameof(rows));
        Columns = columns;
        Rows = rows;
    }

    public IReadOnlyList<ReportColumn> Columns { get; }

    public IReadOnlyList<IReadOnlyList<string>> Rows { get; }

    public string? Caption { get; init; }

    public bool IsEmpty => Rows.Count == 0;
}
