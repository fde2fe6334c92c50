namespace SaeAudit.Reporting.Charts;

/// <summary>Each histogram series as step outlines over a translucent fill, so overlaid series stay visible through
/// each other. Every run of non-empty bins is one closed shape; empty bins draw nothing, so no outline runs along
/// the axis.</summary>
internal static class HistogramMarks
{
    private const double FillOpacity = 0.25;

    public static bool Draw(HistogramChart chart, ChartLayout layout, List<SceneItem> items)
    {
        var hasData = false;
        foreach (var series in chart.Series)
        {
            foreach (var outline in Runs(series, layout))
            {
                hasData = true;
                items.Add(new ScenePolygon(outline, series.Color, FillOpacity));
                items.Add(new ScenePolyline(outline, series.Color, Width: 1.5));
            }
        }
        foreach (var marker in chart.Markers.Where(m => layout.X.Contains(m.Value)))
        {
            var x = layout.X.Map(marker.Value);
            items.Add(new SceneLine(new(x, layout.Plot.Top), new(x, layout.Plot.Bottom), ChartPalette.Text, Dashed: true));
            items.Add(new SceneText(new ChartText(marker.Label, x + 4, layout.Plot.Top + 11, ChartLayout.SmallSize,
                TextAnchor.Start, ChartPalette.Text)));
        }
        return hasData;
    }

    /// <summary>For each run of consecutive non-empty bins: up from the baseline, across the bin tops, back down.</summary>
    private static IEnumerable<IReadOnlyList<ChartPoint>> Runs(HistogramSeries series, ChartLayout layout)
    {
        var baseline = layout.Plot.Bottom;
        var run = new List<ChartPoint>();
        for (var i = 0; i <= series.Counts.Count; i++)
        {
            if (i < series.Counts.Count && series.Counts[i] > 0)
            {
                double left = layout.X.Map(series.Edges[i]), right = layout.X.Map(series.Edges[i + 1]);
                var top = layout.Y.Map(series.Counts[i]);
                if (run.Count == 0) run.Add(new ChartPoint(left, baseline));
                run.Add(new ChartPoint(left, top));
                run.Add(new ChartPoint(right, top));
                continue;
            }
            if (run.Count == 0) continue;
            run.Add(new ChartPoint(run[^1].X, baseline));
            yield return WithoutCollinear(run);
            run = [];
        }
    }

    /// <summary>Adjacent bins of equal height share one segment: the inner points add bytes, not shape.</summary>
    private static ChartPoint[] WithoutCollinear(List<ChartPoint> points) =>
        points.Where((p, i) => i == 0 || i == points.Count - 1
            || !(points[i - 1].Y == p.Y && points[i + 1].Y == p.Y)).ToArray();
}
