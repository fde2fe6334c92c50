namespace SaeAudit.Reporting.Charts;

public sealed record Bar(string Label, double Value);

/// <summary>Labelled horizontal bars, one per category, in the given order (e.g. the weight change per layer group).
/// <see cref="Chart.X"/> is the value axis; <see cref="Chart.Y"/> names the categories. Horizontal, so long labels
/// stay readable; the chart grows taller with the number of bars.</summary>
public sealed record BarChart : Chart
{
    public BarChart(string id, string title, ChartAxis value, string categoryLabel, IReadOnlyList<Bar> bars, ChartColor color)
        : base(id, title, value, ChartAxis.Linear(categoryLabel))
    {
        Bars = bars;
        Color = color;
    }

    public IReadOnlyList<Bar> Bars { get; }

    public ChartColor Color { get; }

    public override IReadOnlyList<LegendEntry> Legend => [];
}
