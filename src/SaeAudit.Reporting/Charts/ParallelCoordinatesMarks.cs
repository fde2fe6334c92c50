namespace SaeAudit.Reporting.Charts;

/// <summary>The two vertical axes and one translucent line per item; items missing on one side end on the row
/// below the axes and are drawn last (on top), stronger and in their side's colour, since they are the interesting
/// ones.</summary>
internal static class ParallelCoordinatesMarks
{
    private const double PresentOpacity = 0.35;
    private const double MissingOpacity = 0.8;

    public static bool Draw(ParallelCoordinatesChart chart, ChartLayout layout, List<SceneItem> items)
    {
        var left = layout.X.From;
        var right = layout.X.To;
        var plot = layout.Plot;
        items.Add(new SceneLine(new(left, plot.Top), new(left, plot.Bottom), ChartPalette.Axis));
        items.Add(new SceneLine(new(right, plot.Top), new(right, plot.Bottom), ChartPalette.Axis));
        if (layout.MissingRow is { } row)
            items.Add(new SceneText(new ChartText(chart.MissingLabel, plot.Left - ChartLayout.TickLength - 3, row + 3.5,
                ChartLayout.TickSize, TextAnchor.End, ChartPalette.MutedText)));

        var present = new List<SceneItem>();
        var missing = new List<SceneItem>();
        for (var i = 0; i < chart.Left.Count; i++)
        {
            double a = chart.Left[i], b = chart.Right[i];
            bool missingLeft = double.IsNaN(a), missingRight = double.IsNaN(b);
            if (missingLeft && missingRight) continue;
            var color = missingLeft ? ParallelCoordinatesChart.MissingLeftColor
                : missingRight ? ParallelCoordinatesChart.MissingRightColor
                : ParallelCoordinatesChart.PresentColor;
            var from = new ChartPoint(left, missingLeft ? layout.MissingRow!.Value : layout.Y.Map(a));
            var to = new ChartPoint(right, missingRight ? layout.MissingRow!.Value : layout.Y.Map(b));
            if (missingLeft || missingRight) missing.Add(new ScenePolyline([from, to], color, Width: 1, Opacity: MissingOpacity));
            else present.Add(new ScenePolyline([from, to], color, Width: 1, Opacity: PresentOpacity));
        }
        items.AddRange(present);
        items.AddRange(missing);
        return present.Count + missing.Count > 0;
    }
}
