namespace SaeAudit.Reporting.Charts;

/// <summary>Each line series as polylines broken at NaN; a point with no neighbour on either side is drawn as a dot
/// so it does not vanish.</summary>
internal static class LineMarks
{
    public static bool Draw(LineChart chart, ChartLayout layout, List<SceneItem> items)
    {
        var hasData = false;
        foreach (var series in chart.Series)
        {
            var run = new List<ChartPoint>();
            for (var i = 0; i <= series.X.Count; i++)
            {
                var inRange = i < series.X.Count && layout.X.Contains(series.X[i]) && layout.Y.Contains(series.Y[i]);
                if (inRange)
                {
                    run.Add(new ChartPoint(layout.X.Map(series.X[i]), layout.Y.Map(series.Y[i])));
                    continue;
                }
                if (run.Count > 1) items.Add(new ScenePolyline(run.ToArray(), series.Color));
                else if (run.Count == 1) items.Add(new SceneCircle(run[0], 2, series.Color));
                hasData |= run.Count > 0;
                run.Clear();
            }
        }
        return hasData;
    }
}
