namespace SaeAudit.Reporting.Charts;

/// <summary>A drawing primitive in chart units. The scene is the whole chart as primitives, so the SVG and PDF
/// renderers only translate them and cannot disagree.</summary>
public abstract record SceneItem;

/// <summary>A filled rectangle.</summary>
public sealed record SceneRect(ChartRect Rect, ChartColor Fill) : SceneItem;

/// <summary>A straight line; dashed lines mark reference values.</summary>
public sealed record SceneLine(ChartPoint From, ChartPoint To, ChartColor Stroke, double Width = 1, bool Dashed = false) : SceneItem;

/// <summary>An open line through the points.</summary>
public sealed record ScenePolyline(IReadOnlyList<ChartPoint> Points, ChartColor Stroke, double Width = 1.5,
    double Opacity = 1) : SceneItem;

/// <summary>A closed filled shape without outline.</summary>
public sealed record ScenePolygon(IReadOnlyList<ChartPoint> Points, ChartColor Fill, double FillOpacity) : SceneItem;

public sealed record SceneCircle(ChartPoint Centre, double Radius, ChartColor Fill) : SceneItem;

public sealed record SceneText(ChartText Text) : SceneItem;

/// <summary>A chart as primitives, back to front: background, grid, data, axes, text.</summary>
public sealed class ChartScene
{
    private ChartScene(string title, double width, double height, IReadOnlyList<SceneItem> items)
    {
        Title = title;
        Width = width;
        Height = height;
        Items = items;
    }

    /// <summary>The chart's full title (the drawn one may be cut to fit), for accessible names.</summary>
    public string Title { get; }

    public double Width { get; }

    public double Height { get; }

    public IReadOnlyList<SceneItem> Items { get; }

    public static ChartScene Build(Chart chart)
    {
        var layout = ChartLayout.For(chart);
        var items = new List<SceneItem>
        {
            new SceneRect(new ChartRect(0, 0, layout.Width, layout.Height), ChartPalette.Background),
        };
        Grid(chart, layout, items);
        var marks = new List<SceneItem>();
        var hasData = chart switch
        {
            HistogramChart histogram => HistogramMarks.Draw(histogram, layout, marks),
            LineChart line => LineMarks.Draw(line, layout, marks),
            BarChart bars => BarMarks.Draw(bars, layout, marks),
            ParallelCoordinatesChart parallel => ParallelCoordinatesMarks.Draw(parallel, layout, marks),
            _ => throw new NotSupportedException($"no marks for {chart.GetType().Name}"),
        };
        items.AddRange(marks);
        if (!hasData)
            items.Add(new SceneText(new ChartText("no data", layout.Plot.Left + layout.Plot.Width / 2,
                layout.Plot.Top + layout.Plot.Height / 2, ChartLayout.LabelSize, TextAnchor.Middle, ChartPalette.MutedText)));
        Axes(chart, layout, items);
        items.Add(new SceneText(layout.Title));
        if (layout.XLabel is { } xLabel) items.Add(new SceneText(xLabel));
        if (layout.YLabel is { } yLabel) items.Add(new SceneText(yLabel));
        foreach (var legend in layout.Legend)
        {
            items.Add(new SceneRect(legend.Swatch, legend.Entry.Color));
            items.Add(new SceneText(legend.Text));
        }
        items.AddRange(layout.Caption.Select(line => new SceneText(line)));
        return new ChartScene(chart.Title, layout.Width, layout.Height, items);
    }

    /// <summary>Light grid lines across the plot at the value axis's ticks (between the two axes of parallel
    /// coordinates).</summary>
    private static void Grid(Chart chart, ChartLayout layout, List<SceneItem> items)
    {
        var plot = layout.Plot;
        var valueAxisIsX = chart is BarChart;
        var right = chart is ParallelCoordinatesChart ? layout.X.To : plot.Right;
        if (valueAxisIsX)
            foreach (var tick in layout.XTicks)
                items.Add(new SceneLine(new(tick.Position, plot.Top), new(tick.Position, plot.Bottom), ChartPalette.Grid));
        else
            foreach (var tick in layout.YTicks)
                items.Add(new SceneLine(new(plot.Left, tick.Position), new(right, tick.Position), ChartPalette.Grid));
    }

    /// <summary>Axis lines, tick marks and tick labels. Parallel coordinates draw their own two axes (marks).</summary>
    private static void Axes(Chart chart, ChartLayout layout, List<SceneItem> items)
    {
        var plot = layout.Plot;
        var xTickBaseline = plot.Bottom + ChartLayout.TickLength + 3 + 7.5;
        var isParallel = chart is ParallelCoordinatesChart;
        if (!isParallel)
        {
            items.Add(new SceneLine(new(plot.Left, plot.Bottom), new(plot.Right, plot.Bottom), ChartPalette.Axis));
            items.Add(new SceneLine(new(plot.Left, plot.Top), new(plot.Left, plot.Bottom), ChartPalette.Axis));
        }
        foreach (var tick in layout.XTicks)
        {
            if (!isParallel)
                items.Add(new SceneLine(new(tick.Position, plot.Bottom), new(tick.Position, plot.Bottom + ChartLayout.TickLength),
                    ChartPalette.Axis));
            items.Add(new SceneText(new ChartText(tick.Label, tick.Position, xTickBaseline, ChartLayout.TickSize,
                TextAnchor.Middle, ChartPalette.Text)));
        }
        var yTickRight = plot.Left - ChartLayout.TickLength;
        foreach (var tick in layout.YTicks)
        {
            items.Add(new SceneLine(new(yTickRight, tick.Position), new(plot.Left, tick.Position), ChartPalette.Axis));
            // +3.5 puts the digits' middle (about 0.36 em above the baseline) on the tick.
            items.Add(new SceneText(new ChartText(tick.Label, yTickRight - 3, tick.Position + 3.5, ChartLayout.TickSize,
                TextAnchor.End, ChartPalette.Text)));
        }
    }
}
