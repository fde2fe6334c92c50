using SaeAudit.Reporting.Charts;

namespace SaeAudit.Reporting.Tests.Charts;

public sealed class ReportChartsTests
{
    [Fact]
    public void Every_pair_gets_every_chart_in_report_order_with_stable_ids()
    {
        ReportCharts.For(DemoResults.Pair("light")).Select(c => c.Id).Should().Equal(
            "light-cos-histogram", "light-dist-histogram", "light-cos-by-position", "light-dist-by-position",
            "light-log-density-histogram", "light-density-parallel", "light-log-activation-histogram",
            "light-activation-similarity-histogram", "light-logit-similarity-histogram",
            "light-dead-activation-error-histogram", "light-weight-change");
    }

    [Fact]
    public void Ids_are_unique_and_file_safe_across_pairs()
    {
        var ids = DemoResults.All.Pairs.SelectMany(ReportCharts.For).Select(c => c.Id).ToArray();

        ids.Should().OnlyHaveUniqueItems();
        ids.Should().OnlyContain(id => ChartIds.IsFileSafe(id));
    }

    [Fact]
    public void The_density_parallel_view_is_left_out_when_the_results_have_no_sample()
    {
        var pair = DemoResults.Pair("code");
        var older = pair with { Densities = pair.Densities with { Sample = null } };

        ReportCharts.For(older).Select(c => c.Id).Should().NotContain("code-density-parallel").And.HaveCount(10);
    }

    [Fact]
    public void Base_and_finetune_keep_their_colours()
    {
        var density = ReportCharts.For(DemoResults.Pair("code")).OfType<HistogramChart>()
            .Single(c => c.Id == "code-log-density-histogram");

        density.Series.Select(s => (s.Name, s.Color)).Should().Equal(("base", ChartPalette.Base), ("finetune", ChartPalette.Finetune));
        density.Legend.Select(l => l.Label).Should().Equal("base", "finetune");
    }

    [Fact]
    public void Values_outside_the_bins_are_named_in_the_caption()
    {
        var activations = ReportCharts.For(DemoResults.Pair("code")).Single(c => c.Id == "code-log-activation-histogram");

        activations.Caption.Should().Contain("Outside the bins: base 246 below; finetune 927 below");
    }

    [Fact]
    public void Weight_change_has_one_bar_per_layer_group_in_file_order()
    {
        var weights = ReportCharts.For(DemoResults.Pair("code")).OfType<BarChart>().Single();

        weights.Bars.Select(b => b.Label).Should().Equal(
            "embedding", "blocks.0", "blocks.1", "blocks.2", "blocks.3", "final_norm", "unembedding");
    }

    [Fact]
    public void The_density_parallel_legend_names_only_the_kinds_of_dead_features_present()
    {
        ParallelCoordinatesChart Parallel(string pair) =>
            ReportCharts.For(DemoResults.Pair(pair)).OfType<ParallelCoordinatesChart>().Single();

        // Demo sample: light has one feature dead in base; code has six dead in base and one dead in finetune.
        Parallel("light").Legend.Select(l => l.Label).Should().Equal("alive in both", "dead in base");
        Parallel("code").Legend.Select(l => l.Label).Should().Equal("alive in both", "dead in base", "dead in finetune");
    }

    [Theory]
    [InlineData("Light FT/v2", "light-ft-v2")]
    [InlineData("code", "code")]
    [InlineData("--", "pair")]
    public void Slugs_are_lowercase_ascii_with_single_hyphens(string name, string slug) =>
        ChartIds.Slug(name).Should().Be(slug);
}
