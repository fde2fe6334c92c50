using SaeAudit.Reporting.Fonts;

namespace SaeAudit.Reporting.Charts;

/// <summary>Horizontal bars with their value at the end: after the bar, or inside it (white) when the plot has no
/// room to its right.</summary>
internal static class BarMarks
{
    private const double Thickness = 0.62; // of a category band

    public static bool Draw(BarChart chart, ChartLayout layout, List<SceneItem> items)
    {
        var n = chart.Bars.Count;
        var band = layout.Plot.Height / Math.Max(1, n);
        var zero = layout.X.Map(chart.LogX ? layout.X.Min : 0);
        for (var i = 0; i < n; i++)
        {
            var bar = chart.Bars[i];
            var centre = layout.Y.Map(n - i - 0.5);
            var label = NumberFormat.Format(bar.Value);
            if (!double.IsFinite(bar.Value))
            {
                items.Add(new SceneText(new ChartText(label, zero + 4, centre + 3.5, ChartLayout.SmallSize, TextAnchor.Start,
                    ChartPalette.MutedText)));
                continue;
            }
            var end = layout.X.Map(bar.Value);
            var thickness = Math.Min(band * Thickness, 26);
            items.Add(new SceneRect(new ChartRect(Math.Min(zero, end), centre - thickness / 2, Math.Abs(end - zero), thickness),
                chart.Color));
            var labelWidth = TextMetrics.Regular.Width(label, ChartLayout.SmallSize);
            var outside = end + 4 + labelWidth <= layout.Plot.Right;
            items.Add(new SceneText(outside
                ? new ChartText(label, end + 4, centre + 3.5, ChartLayout.SmallSize, TextAnchor.Start, ChartPalette.Text)
                : new ChartText(label, end - 4, centre + 3.5, ChartLayout.SmallSize, TextAnchor.End, ChartPalette.Background)));
        }
        return n > 0;
    }
}
