using SaeAudit.Reporting.Fonts;

namespace SaeAudit.Reporting.Charts;

/// <summary>Where everything of a chart goes, computed once so the SVG and the PDF renderer place it identically:
/// canvas size, plot area, axis scales and ticks, title, axis labels, legend, caption. Units are SVG pixels (640
/// wide); the PDF renderer scales them uniformly into its area. Text is measured with DejaVu Sans's own advance
/// widths (<see cref="TextMetrics"/>), the font both outputs use.</summary>
public sealed class ChartLayout
{
    public const double DefaultWidth = 640;
    public const double DefaultHeight = 360;
    public const double TitleSize = 14;
    public const double LabelSize = 11;
    public const double TickSize = 10;
    public const double SmallSize = 10;
    public const double TickLength = 4;
    public const double Margin = 12;

    private const double Descent = 3;
    private const double CaptionLineHeight = 13;
    private const double LegendSwatch = 11;
    private const double BarRowHeight = 22;

    private ChartLayout(double width, double height, ChartRect plot, ChartScale x, ChartScale y,
        IReadOnlyList<AxisTick> xTicks, IReadOnlyList<AxisTick> yTicks, ChartText title, ChartText? xLabel,
        ChartText? yLabel, IReadOnlyList<LegendItem> legend, IReadOnlyList<ChartText> caption, double? missingRow)
    {
        Width = width;
        Height = height;
        Plot = plot;
        X = x;
        Y = y;
        XTicks = xTicks;
        YTicks = yTicks;
        Title = title;
        XLabel = xLabel;
        YLabel = yLabel;
        Legend = legend;
        Caption = caption;
        MissingRow = missingRow;
    }

    public double Width { get; }

    public double Height { get; }

    /// <summary>The data area, inside the axes.</summary>
    public ChartRect Plot { get; }

    public ChartScale X { get; }

    /// <summary>The vertical scale. For a <see cref="BarChart"/> its domain is [0, bars], bar i occupying
    /// [bars - i - 1, bars - i] so the first bar is at the top.</summary>
    public ChartScale Y { get; }

    public IReadOnlyList<AxisTick> XTicks { get; }

    public IReadOnlyList<AxisTick> YTicks { get; }

    public ChartText Title { get; }

    public ChartText? XLabel { get; }

    public ChartText? YLabel { get; }

    public IReadOnlyList<LegendItem> Legend { get; }

    public IReadOnlyList<ChartText> Caption { get; }

    /// <summary>Parallel coordinates only: the y position of the row below the axis where missing (NaN) ends go.</summary>
    public double? MissingRow { get; }

    public static ChartLayout For(Chart chart)
    {
        var width = DefaultWidth;
        var height = chart is BarChart bars
            ? Math.Max(DefaultHeight, 120 + bars.Bars.Count * BarRowHeight)
            : DefaultHeight;
        var contentWidth = width - 2 * Margin;

        // Top: the title, with the legend on its row when both fit, else on a row of its own.
        var titleBaseline = Margin + 11;
        var legendWidth = LegendWidth(chart.Legend);
        var titleText = Fit(chart.Title, TitleSize, bold: true, contentWidth);
        var titleWidth = TextMetrics.Bold.Width(titleText, TitleSize);
        var legendOnTitleRow = chart.Legend.Count == 0 || titleWidth + 24 + legendWidth <= contentWidth;
        var legendBaseline = legendOnTitleRow ? titleBaseline : titleBaseline + 20;
        var title = new ChartText(titleText, Margin, titleBaseline, TitleSize, TextAnchor.Start, ChartPalette.Text, Bold: true);
        var legend = LegendItems(chart.Legend, width - Margin - legendWidth, legendBaseline);

        // Bottom, from the canvas edge up: caption lines, the x-axis label, the x tick labels.
        var captionLines = chart.Caption.SelectMany(line => Wrap(line, SmallSize, contentWidth)).ToArray();
        var hasXLabel = chart.X.Label.Length > 0;
        var captionBlock = captionLines.Length > 0 ? 18 + CaptionLineHeight * (captionLines.Length - 1) : 0;
        var plotTop = legendBaseline + 16;
        var plotBottom = height - Margin - Descent - captionBlock - (hasXLabel ? 17 : 0) - 15;
        var hasYLabel = chart.Y.Label.Length > 0;

        // Vertical axis first: its tick labels' width sets the plot's left edge.
        var missingBand = chart is ParallelCoordinatesChart { HasMissing: true } ? 26 : 0;
        var (yScale, yTicks) = VerticalAxis(chart, plotTop, plotBottom, missingBand);
        var yTickWidth = yTicks.Count == 0 ? 0 : yTicks.Max(t => TextMetrics.Regular.Width(t.Label, TickSize));
        var plotLeft = Margin + (hasYLabel ? LabelSize + 6 : 0) + yTickWidth + 3 + TickLength;
        var plotRight = width - Margin - 10;
        var plot = new ChartRect(plotLeft, plotTop, plotRight - plotLeft, plotBottom - plotTop);
        var (xScale, xTicks) = HorizontalAxis(chart, plot);

        var xTickBaseline = plot.Bottom + TickLength + 3 + 7.5;
        var xLabel = hasXLabel
            ? new ChartText(Fit(chart.X.Label, LabelSize, false, plot.Width), plot.Left + plot.Width / 2,
                xTickBaseline + 17, LabelSize, TextAnchor.Middle, ChartPalette.Text)
            : null;
        var yLabel = hasYLabel
            ? new ChartText(Fit(chart.Y.Label, LabelSize, false, plot.Height), Margin + 8.5, plot.Top + plot.Height / 2,
                LabelSize, TextAnchor.Middle, ChartPalette.Text, Vertical: true)
            : null;
        var captionTop = xTickBaseline + (hasXLabel ? 17 : 0) + 18;
        var caption = captionLines.Select((line, i) => new ChartText(line, Margin, captionTop + i * CaptionLineHeight,
            SmallSize, TextAnchor.Start, ChartPalette.MutedText)).ToArray();
        double? missingRow = missingBand > 0 ? plot.Bottom - 7 : null;
        return new ChartLayout(width, height, plot, xScale, yScale, xTicks, yTicks, title, xLabel, yLabel, legend,
            caption, missingRow);
    }

    private static (ChartScale, IReadOnlyList<AxisTick>) VerticalAxis(Chart chart, double top, double bottom,
        double missingBand)
    {
        var target = Math.Max(2, (int)((bottom - top) / 45));
        switch (chart)
        {
            case BarChart bars:
            {
                // Categories: bar i centred in band [n - i - 1, n - i].
                var n = Math.Max(1, bars.Bars.Count);
                var scale = new ChartScale(AxisScale.Linear, 0, n, bottom, top);
                var ticks = bars.Bars.Select((bar, i) =>
                    new AxisTick(n - i - 0.5, scale.Map(n - i - 0.5), Fit(bar.Label, TickSize, false, 160))).ToArray();
                return (scale, ticks);
            }
            case HistogramChart histogram:
            {
                var maxCount = histogram.Series.SelectMany(s => s.Counts).DefaultIfEmpty(0).Max();
                return chart.LogY
                    ? LogAxis(chart.Y, 1, Math.Max(10, maxCount), bottom, top, counts: true)
                    : LinearAxis(chart.Y, 0, Math.Max(1, maxCount), snap: true, target, bottom, top);
            }
            case LineChart line:
            {
                var (lo, hi) = Extent(line.Series.SelectMany(s => s.Y), chart.LogY);
                return chart.LogY
                    ? LogAxis(chart.Y, lo, hi, bottom, top)
                    : LinearAxis(chart.Y, lo, hi, snap: true, target, bottom, top);
            }
            case ParallelCoordinatesChart parallel:
            {
                var (lo, hi) = Extent(parallel.Left.Concat(parallel.Right), chart.LogY);
                return chart.LogY
                    ? LogAxis(chart.Y, lo, hi, bottom - missingBand, top)
                    : LinearAxis(chart.Y, lo, hi, snap: true, target, bottom - missingBand, top);
            }
            default:
                throw new NotSupportedException($"no layout for {chart.GetType().Name}");
        }
    }

    private static (ChartScale, IReadOnlyList<AxisTick>) HorizontalAxis(Chart chart, ChartRect plot)
    {
        var target = Math.Max(2, (int)(plot.Width / 75));
        switch (chart)
        {
            case HistogramChart histogram:
            {
                // The bins' own range, unwidened, so the bars fill the plot; ticks fall inside it.
                var lo = histogram.Series.Min(s => s.Edges[0]);
                var hi = histogram.Series.Max(s => s.Edges[^1]);
                return chart.LogX
                    ? LogAxis(chart.X, lo, hi, plot.Left, plot.Right)
                    : LinearAxis(chart.X, lo, hi, snap: false, target, plot.Left, plot.Right);
            }
            case LineChart line:
            {
                var (lo, hi) = Extent(line.Series.SelectMany(s => s.X), chart.LogX);
                return chart.LogX
                    ? LogAxis(chart.X, lo, hi, plot.Left, plot.Right)
                    : LinearAxis(chart.X, lo, hi, snap: false, target, plot.Left, plot.Right);
            }
            case BarChart bars:
            {
                var values = bars.Bars.Select(b => b.Value).Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
                return chart.LogX
                    ? LogAxis(chart.X, values.Where(v => v > 0).DefaultIfEmpty(1).Min(), Math.Max(values.Max(), 1e-300),
                        plot.Left, plot.Right)
                    : LinearAxis(chart.X, Math.Min(0, values.Min()), Math.Max(0, values.Max()), snap: true, target,
                        plot.Left, plot.Right);
            }
            case ParallelCoordinatesChart parallel:
            {
                // Two categorical axes: the left one carries the value ticks; the right one moves in just enough for
                // its name, centred under it, to stay on the canvas.
                var rightHalfLabel = TextMetrics.Regular.Width(parallel.RightLabel, TickSize) / 2;
                var right = Math.Min(plot.Right, DefaultWidth - Margin - rightHalfLabel);
                var scale = new ChartScale(AxisScale.Linear, 0, 1, plot.Left, right);
                return (scale, [new AxisTick(0, scale.From, parallel.LeftLabel), new AxisTick(1, scale.To, parallel.RightLabel)]);
            }
            default:
                throw new NotSupportedException($"no layout for {chart.GetType().Name}");
        }
    }

    /// <summary>A linear axis over the data range (or the axis's fixed ends); <paramref name="snap"/> widens free
    /// ends to the enclosing tick.</summary>
    private static (ChartScale, IReadOnlyList<AxisTick>) LinearAxis(ChartAxis axis, double dataMin, double dataMax,
        bool snap, int target, double from, double to)
    {
        var min = axis.Min ?? dataMin;
        var max = axis.Max ?? dataMax;
        if (!(max > min))
        {
            // A constant (or empty) range: centre it in a unit-wide window.
            var pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            (min, max) = (axis.Min ?? min - pad, axis.Max ?? max + pad);
        }
        var step = NiceTicks.Step(max - min, target);
        if (snap)
        {
            var snapped = NiceTicks.Snap(min, max, target);
            (min, max, step) = (axis.Min ?? snapped.Min, axis.Max ?? snapped.Max, snapped.Step);
        }
        var scale = new ChartScale(AxisScale.Linear, min, max, from, to);
        var values = NiceTicks.Within(min, max, step);
        var labels = NiceTicks.LinearLabels(values, step);
        return (scale, values.Select((v, i) => new AxisTick(v, scale.Map(v), labels[i])).ToArray());
    }

    /// <summary>A log10 axis widened to whole decades (unless fixed). A <paramref name="counts"/> axis instead starts
    /// at 0.5, so a bin holding one value still shows, and has ticks from 1 up.</summary>
    private static (ChartScale, IReadOnlyList<AxisTick>) LogAxis(ChartAxis axis, double dataMin, double dataMax,
        double from, double to, bool counts = false)
    {
        if (!(dataMin > 0)) dataMin = Math.Min(1, dataMax > 0 ? dataMax : 1); // nothing ≤ 0 has a place on a log axis
        var min = axis.Min ?? (counts ? 0.5 : Math.Pow(10, Math.Floor(Math.Log10(dataMin) + 1e-9)));
        var max = axis.Max ?? Math.Pow(10, Math.Ceiling(Math.Log10(Math.Max(dataMax, min)) - 1e-9));
        if (!(max > min)) max = min * 10;
        var scale = new ChartScale(AxisScale.Log10, min, max, from, to);
        var values = NiceTicks.Log(counts ? Math.Max(min, 1) : min, max);
        return (scale, values.Select(v => new AxisTick(v, scale.Map(v), NiceTicks.LogLabel(v))).ToArray());
    }

    /// <summary>The finite (on a log axis: positive) extent of values; (0, 1) when there are none.</summary>
    private static (double Min, double Max) Extent(IEnumerable<double> values, bool log)
    {
        var usable = values.Where(v => double.IsFinite(v) && (!log || v > 0)).ToArray();
        return usable.Length == 0 ? (log ? 1 : 0, log ? 10 : 1) : (usable.Min(), usable.Max());
    }

    private static double LegendWidth(IReadOnlyList<LegendEntry> entries) =>
        entries.Sum(e => LegendSwatch + 5 + TextMetrics.Regular.Width(e.Label, SmallSize)) + 14 * Math.Max(0, entries.Count - 1);

    private static IReadOnlyList<LegendItem> LegendItems(IReadOnlyList<LegendEntry> entries, double left, double baseline)
    {
        var items = new List<LegendItem>();
        var x = left;
        foreach (var entry in entries)
        {
            var swatch = new ChartRect(x, baseline - LegendSwatch + 1.5, LegendSwatch, LegendSwatch);
            var text = new ChartText(entry.Label, x + LegendSwatch + 5, baseline, SmallSize, TextAnchor.Start, ChartPalette.Text);
            items.Add(new LegendItem(entry, swatch, text));
            x += LegendSwatch + 5 + TextMetrics.Regular.Width(entry.Label, SmallSize) + 14;
        }
        return items;
    }

    /// <summary>The text, cut with an ellipsis if it is wider than <paramref name="maxWidth"/>.</summary>
    internal static string Fit(string text, double size, bool bold, double maxWidth)
    {
        var metrics = TextMetrics.For(bold);
        if (metrics.Width(text, size) <= maxWidth) return text;
        var cut = text.Length;
        while (cut > 0 && metrics.Width(text[..cut] + "…", size) > maxWidth) cut--;
        return text[..cut].TrimEnd() + "…";
    }

    /// <summary>Greedy word wrap to <paramref name="maxWidth"/>; a single word wider than that is cut.</summary>
    internal static IEnumerable<string> Wrap(string text, double size, double maxWidth)
    {
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && TextMetrics.Regular.Width(candidate, size) > maxWidth)
            {
                yield return Fit(line, size, false, maxWidth);
                candidate = word;
            }
            line = candidate;
        }
        if (line.Length > 0) yield return Fit(line, size, false, maxWidth);
    }
}
