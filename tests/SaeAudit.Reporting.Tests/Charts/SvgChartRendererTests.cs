using System.Xml.Linq;
using SaeAudit.Reporting.Charts;
using SaeAudit.Reporting.Tests.Snapshots;

namespace SaeAudit.Reporting.Tests.Charts;

public sealed class SvgChartRendererTests
{
    private const string VerifiedFolder = "tests/SaeAudit.Reporting.Tests/Charts/Verified";
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static Chart Demo(string id) =>
        DemoResults.All.Pairs.SelectMany(ReportCharts.For).Single(c => c.Id == id);

    /// <summary>One chart of each kind and variant: single and overlaid histograms, linear and log counts, a curve,
    /// bars, parallel coordinates with dead features.</summary>
    [Theory]
    [InlineData("light-cos-histogram")]
    [InlineData("code-log-density-histogram")]
    [InlineData("code-log-activation-histogram")]
    [InlineData("code-cos-by-position")]
    [InlineData("code-weight-change")]
    [InlineData("code-density-parallel")]
    public void Demo_charts_match_their_snapshots(string id) =>
        Snapshot.Match(SvgChartRenderer.Render(Demo(id)), VerifiedFolder, id, "svg");

    [Fact]
    public void Every_demo_chart_is_a_self_contained_deterministic_svg()
    {
        foreach (var chart in DemoResults.All.Pairs.SelectMany(ReportCharts.For))
        {
            var svg = SvgChartRenderer.Render(chart);
            var root = XDocument.Parse(svg).Root!;

            root.Name.Should().Be(Svg + "svg", chart.Id);
            root.Attribute("viewBox")!.Value.Should().StartWith("0 0 640 ", chart.Id);
            root.Element(Svg + "title")!.Value.Should().Be(chart.Title);
            root.Descendants(Svg + "script").Should().BeEmpty(chart.Id);
            svg.Should().NotContain("href", chart.Id).And.NotContain("NaN", chart.Id).And.NotContain("Infinity", chart.Id);
            SvgChartRenderer.Render(chart).Should().Be(svg, $"{chart.Id} renders the same twice");
            var texts = root.Descendants(Svg + "text").Select(t => t.Value).ToArray();
            texts.Should().Contain(chart.X.Label.Length > 0 ? chart.X.Label : chart.Title, chart.Id);
        }
    }

    [Fact]
    public void The_background_is_white_so_dark_mode_stays_readable()
    {
        var root = XDocument.Parse(SvgChartRenderer.Render(Demo("light-cos-histogram"))).Root!;

        var background = root.Elements(Svg + "rect").First();
        (background.Attribute("width")!.Value, background.Attribute("height")!.Value, background.Attribute("fill")!.Value)
            .Should().Be(("640", "360", "#FFFFFF"));
    }

    [Fact]
    public void NaN_breaks_a_line_and_a_lone_point_becomes_a_dot()
    {
        var chart = new LineChart("gaps", "Gaps", ChartAxis.Linear("x"), ChartAxis.Linear("y"),
            [LineSeries.ByIndex("s", ChartPalette.Neutral, [1, 2, double.NaN, 3, 4, double.NaN, 5])]);

        var root = XDocument.Parse(SvgChartRenderer.Render(chart)).Root!;

        root.Elements(Svg + "polyline").Should().HaveCount(2);
        root.Elements(Svg + "circle").Should().ContainSingle();
    }

    [Fact]
    public void An_empty_histogram_says_no_data()
    {
        var chart = new HistogramChart("empty", "Empty", ChartAxis.Linear("x"), ChartAxis.Log("count"),
            [new HistogramSeries("s", ChartPalette.Neutral, [0, 1, 2], [0, 0])]);

        var svg = SvgChartRenderer.Render(chart);

        svg.Should().Contain(">no data</text>").And.NotContain("<polygon");
    }

    [Fact]
    public void Text_is_escaped()
    {
        var chart = new LineChart("esc", "a < b & \"c\"", ChartAxis.Linear("x"), ChartAxis.Linear("y"),
            [LineSeries.ByIndex("s", ChartPalette.Neutral, [1, 2])]);

        XDocument.Parse(SvgChartRenderer.Render(chart)).Root!.Element(Svg + "title")!.Value.Should().Be("a < b & \"c\"");
    }
}
