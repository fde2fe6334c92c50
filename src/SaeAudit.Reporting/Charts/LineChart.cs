namespace SaeAudit.Reporting.Charts;

/// <summary>Points joined in order; a NaN x or y breaks the line (a gap, e.g. a position no row contributes to).</summary>
public sealed record LineSeries
{
    public LineSeries(string name, ChartColor color, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"a line needs as many x ({x.Count}) as y ({y.Count}) values");
        Name = name;
        Color = color;
        X = x;
        Y = y;
    }

    public string Name { get; }

    public ChartColor Color { get; }

    public IReadOnlyList<double> X { get; }

    public IReadOnlyList<double> Y { get; }

    /// <summary>y over x = 0, 1, 2, … (e.g. a per-position curve).</summary>
    public static LineSeries ByIndex(string name, ChartColor color, IReadOnlyList<double> y) =>
        new(name, color, Enumerable.Range(0, y.Count).Select(i => (double)i).ToArray(), y);
}

/// <summary>One or more lines over a shared x axis.</summary>
public sealed record LineChart : Chart
{
    public LineChart(string id, string title, ChartAxis x, ChartAxis y, IReadOnlyList<LineSeries> series)
        : base(id, title, x, y)
    {
        if (series.Count == 0) throw new ArgumentException("a line chart needs a series", nameof(series));
        Series = series;
    }

    public IReadOnlyList<LineSeries> Series { get; }

    public override IReadOnlyList<LegendEntry> Legend =>
        Series.Count > 1 ? Series.Select(s => new LegendEntry(s.Name, s.Color)).ToArray() : [];
}
