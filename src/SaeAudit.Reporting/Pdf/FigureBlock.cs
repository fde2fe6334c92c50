using PdfSharp.Drawing;
using SaeAudit.Reporting.Charts;

namespace SaeAudit.Reporting.Pdf;

/// <summary>Places a chart as a vector figure, centred, at the height its layout asks for (the chart draws its own
/// title, legend and caption). Every chart gets the same width, chosen so that three standard charts fill an empty
/// page; their smallest text (tick labels) then prints at about 6.3 pt. A figure is never split: one that does not
/// fit below the cursor moves to the next page.</summary>
internal static class FigureBlock
{
    private const double SpaceAfter = 12;
    private const int ChartsPerPage = 3;

    /// <summary>The height the figure takes on the page, without the space after it.</summary>
    public static double Height(PageFlow flow, Chart chart) => PdfChartRenderer.HeightFor(chart, ChartWidth(flow));

    public static void Draw(PageFlow flow, Chart chart)
    {
        var width = ChartWidth(flow);
        var height = Height(flow, chart);
        flow.EnsureSpace(height);
        var left = flow.Left + (flow.Width - width) / 2;
        PdfChartRenderer.Draw(flow.Graphics, new XRect(left, flow.Y, width, height), chart);
        flow.Advance(height + SpaceAfter);
    }

    /// <summary>The widest chart of the standard aspect ratio of which <see cref="ChartsPerPage"/> stack on a
    /// page, but no wider than the text.</summary>
    private static double ChartWidth(PageFlow flow)
    {
        var height = (flow.BodyHeight - (ChartsPerPage - 1) * SpaceAfter) / ChartsPerPage;
        return Math.Min(flow.Width, Math.Floor(height * ChartLayout.DefaultWidth / ChartLayout.DefaultHeight));
    }
}
