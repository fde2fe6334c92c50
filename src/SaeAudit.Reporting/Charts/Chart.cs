namespace SaeAudit.Reporting.Charts;

/// <summary>How an axis maps values to positions. <see cref="Log10"/> spaces powers of ten evenly; values ≤ 0 have no
/// position on it.</summary>
public enum AxisScale
{
    Linear,
    Log10,
}

/// <summary>One axis: its label, its scale, and optionally a fixed range. Without a fixed end the layout takes the
/// data's extent and widens it to the enclosing "nice" tick.</summary>
public sealed record ChartAxis(string Label, AxisScale Scale = AxisScale.Linear, double? Min = null, double? Max = null)
{
    public static ChartAxis Linear(string label, double? min = null, double? max = null) => new(label, AxisScale.Linear, min, max);

    public static ChartAxis Log(string label, double? min = null, double? max = null) => new(label, AxisScale.Log10, min, max);
}

/// <summary>A labelled reference value on the x axis (e.g. a threshold), drawn as a dashed line across the plot.</summary>
public sealed record ChartMarker(double Value, string Label);

/// <summary>A legend swatch.</summary>
public sealed record LegendEntry(string Label, ChartColor Color);

/// <summary>What to draw, independent of the output format: SVG and PDF both render a chart through the same
/// <see cref="ChartLayout"/>, so they never disagree. <see cref="Id"/> is stable and file-safe (e.g.
/// <c>light-cos-histogram</c>), for file names and anchors.</summary>
public abstract record Chart
{
    protected Chart(string id, string title, ChartAxis x, ChartAxis y)
    {
        if (!ChartIds.IsFileSafe(id)) throw new ArgumentException($"chart id '{id}' is not file-safe ([a-z0-9-]+)", nameof(id));
        Id = id;
        Title = title;
        X = x;
        Y = y;
    }

    public string Id { get; }

    public string Title { get; }

    /// <summary>The horizontal axis.</summary>
    public ChartAxis X { get; }

    /// <summary>The vertical axis.</summary>
    public ChartAxis Y { get; }

    /// <summary>Free text shown under the chart (a summary of the numbers behind it).</summary>
    public string? Note { get; init; }

    public bool LogX => X.Scale == AxisScale.Log10;

    public bool LogY => Y.Scale == AxisScale.Log10;

    /// <summary>The lines under the chart: <see cref="Note"/> and whatever the chart kind adds (e.g. values outside a
    /// histogram's range).</summary>
    public virtual IReadOnlyList<string> Caption => Note is null ? [] : [Note];

    /// <summary>Swatches naming the series; empty when a single series needs no legend.</summary>
    public abstract IReadOnlyList<LegendEntry> Legend { get; }
}
