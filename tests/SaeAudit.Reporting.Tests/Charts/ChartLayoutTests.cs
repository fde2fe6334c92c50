using SaeAudit.Reporting.Charts;
using SaeAudit.Reporting.Fonts;

namespace SaeAudit.Reporting.Tests.Charts;

public sealed class ChartLayoutTests
{
    private static HistogramChart Histogram(double lo, double hi, long[] counts, ChartAxis? y = null)
    {
        var edges = Enumerable.Range(0, counts.Length + 1).Select(i => lo + i * (hi - lo) / counts.Length).ToArray();
        return new HistogramChart("h", "Title", ChartAxis.Linear("x label"), y ?? ChartAxis.Linear("count"),
            [new HistogramSeries("s", ChartPalette.Neutral, edges, counts)]);
    }

    private static string[] Labels(IEnumerable<AxisTick> ticks) => ticks.Select(t => t.Label).ToArray();

    [Theory]
    [InlineData(0, 1, new[] { "0.0", "0.2", "0.4", "0.6", "0.8", "1.0" })]
    [InlineData(-8, 0, new[] { "-8", "-6", "-4", "-2", "0" })]
    [InlineData(-1, 1, new[] { "-1.0", "-0.5", "0.0", "0.5", "1.0" })]
    [InlineData(0, 25.024102908735074, new[] { "0", "5", "10", "15", "20", "25" })]
    public void Histogram_x_axis_spans_the_bins_with_nice_ticks_inside(double lo, double hi, string[] expected)
    {
        var layout = ChartLayout.For(Histogram(lo, hi, [1, 2, 3, 4]));

        Labels(layout.XTicks).Should().Equal(expected);
        (layout.X.Min, layout.X.Max).Should().Be((lo, hi));
        layout.XTicks[0].Position.Should().BeGreaterThanOrEqualTo(layout.Plot.Left);
        layout.XTicks[^1].Position.Should().BeLessThanOrEqualTo(layout.Plot.Right + 1e-9);
    }

    [Fact]
    public void Linear_count_axis_starts_at_zero_and_is_snapped_above_the_largest_bin()
    {
        var layout = ChartLayout.For(Histogram(0, 1, [16385, 40, 15]));

        (layout.Y.Min, layout.Y.Max).Should().Be((0, 20000));
        Labels(layout.YTicks).Should().Equal("0", "5k", "10k", "15k", "20k");
        layout.YTicks[0].Position.Should().Be(layout.Plot.Bottom);
        layout.YTicks[^1].Position.Should().Be(layout.Plot.Top);
    }

    [Fact]
    public void Log_count_axis_shows_a_single_count_above_the_axis_and_ends_on_a_decade()
    {
        var layout = ChartLayout.For(Histogram(0, 1, [16385, 1, 0], ChartAxis.Log("count")));

        (layout.Y.Min, layout.Y.Max).Should().Be((0.5, 1e5));
        Labels(layout.YTicks).Should().Equal("1", "10", "100", "1k", "10k", "100k");
        layout.Y.Map(1).Should().BeLessThan(layout.Plot.Bottom - 5);
    }

    [Fact]
    public void Fixed_axis_ends_win_over_the_data()
    {
        var chart = new LineChart("l", "T", ChartAxis.Linear("x"), ChartAxis.Linear("y", 0, 1),
            [LineSeries.ByIndex("s", ChartPalette.Neutral, [0.2, 0.25, double.NaN, 0.3])]);

        var layout = ChartLayout.For(chart);

        (layout.Y.Min, layout.Y.Max).Should().Be((0, 1));
        (layout.X.Min, layout.X.Max).Should().Be((0, 3));
    }

    [Fact]
    public void The_plot_starts_right_of_the_widest_y_tick_label()
    {
        var layout = ChartLayout.For(Histogram(0, 1, [123456, 2]));
        var widest = layout.YTicks.Max(t => TextMetrics.Regular.Width(t.Label, ChartLayout.TickSize));

        layout.Plot.Left.Should().BeGreaterThan(ChartLayout.Margin + ChartLayout.LabelSize + widest);
    }

    [Fact]
    public void Captions_wrap_to_the_canvas_and_push_the_plot_up()
    {
        var plain = ChartLayout.For(Histogram(0, 1, [1, 2]));
        var captioned = ChartLayout.For(Histogram(0, 1, [1, 2]) with { Note = string.Join(" ", Enumerable.Repeat("words", 60)) });

        captioned.Caption.Should().HaveCountGreaterThan(1);
        captioned.Caption.Should().OnlyContain(line =>
            TextMetrics.Regular.Width(line.Text, line.Size) <= ChartLayout.DefaultWidth - 2 * ChartLayout.Margin);
        captioned.Plot.Bottom.Should().BeLessThan(plain.Plot.Bottom);
        captioned.Caption[^1].Y.Should().BeLessThan(captioned.Height);
    }

    [Fact]
    public void A_long_title_is_cut_with_an_ellipsis()
    {
        var chart = new LineChart("l", new string('W', 200), ChartAxis.Linear("x"), ChartAxis.Linear("y"),
            [LineSeries.ByIndex("s", ChartPalette.Neutral, [1, 2])]);

        var title = ChartLayout.For(chart).Title;

        title.Text.Should().EndWith("…");
        TextMetrics.Bold.Width(title.Text, title.Size).Should().BeLessThanOrEqualTo(ChartLayout.DefaultWidth - 2 * ChartLayout.Margin);
    }

    [Fact]
    public void Bar_charts_list_bars_top_down_and_grow_with_their_number()
    {
        var bars = Enumerable.Range(0, 30).Select(i => new Bar($"blocks.{i}", i / 100.0)).ToArray();
        var chart = new BarChart("b", "T", ChartAxis.Linear("change", min: 0), "", bars, ChartPalette.Finetune);

        var layout = ChartLayout.For(chart);

        layout.Height.Should().BeGreaterThan(ChartLayout.DefaultHeight);
        Labels(layout.YTicks).Should().Equal(bars.Select(b => b.Label));
        layout.YTicks[0].Position.Should().BeLessThan(layout.YTicks[1].Position);
        layout.X.Min.Should().Be(0);
        layout.YLabel.Should().BeNull();
    }

    [Fact]
    public void Legend_shares_the_title_row_when_it_fits_and_stays_on_the_canvas()
    {
        var chart = ReportCharts.For(DemoResults.Pair("code")).OfType<HistogramChart>().First(c => c.Series.Count == 2);

        var layout = ChartLayout.For(chart);

        layout.Legend.Should().HaveCount(2);
        layout.Legend.Should().OnlyContain(item => item.Text.Y == layout.Title.Y);
        var last = layout.Legend[^1].Text;
        (last.X + TextMetrics.Regular.Width(last.Text, last.Size)).Should().BeLessThanOrEqualTo(layout.Width - ChartLayout.Margin + 1e-9);
    }
}
