using SaeAudit.Evaluation.Results;
using SaeAudit.Reporting.Charts;
using SaeAudit.Reporting.Model;

namespace SaeAudit.Reporting.Tests.Model;

public class ReportModelTests
{
    private static readonly ReportModel Demo = ReportModel.From(DemoResults.Load());

    [Fact]
    public void Verdict_counts_pairs_and_gates()
    {
        Demo.Verdict.Should().BeEquivalentTo(new
        {
            Passed = false,
            Status = "FAIL",
            PairCount = 2,
            PairsPassed = 1,
            PairsFailed = 1,
            GateCount = 6,
            GatesPassed = 4,
            GatesFailed = 2,
        });
        Demo.Verdict.Summary.Should().Be("1 of 2 pairs fails its gates: code (2 of 3 gates failed).");
    }

    [Fact]
    public void Gate_table_shows_metric_bound_value_and_result_of_a_failing_gate()
    {
        Demo.GateTable.Columns.Select(c => c.Header).Should().Equal("pair", "metric", "bound", "value", "result");
        Demo.GateTable.Rows.Should().ContainEquivalentOf(
            new[] { "code", "transfer.activation_similarity.mean", "≥ 0.8", "0.4752", "FAIL" });
        Demo.GateTable.Rows.Should().ContainEquivalentOf(
            new[] { "code", "finetune.sae.explained_variance", "≥ 0.8", "-9.309", "FAIL" });
        var gate = Demo.Gates.Single(g => g.Pair == "code" && g.Metric == "transfer.activation_similarity.mean");
        gate.Detail.Should().Be("transfer.activation_similarity.mean = 0.4752, expected ≥ 0.8");
        gate.RawValue.Should().Be(0.475247649467622);
    }

    [Fact]
    public void A_nan_gate_value_fails_and_says_so()
    {
        var results = DemoResults.WithPair("light", p => p with
        {
            Gates = [new GateResult("finetune.kl.score", null, 2, null, false)],
        });
        var gate = ReportModel.From(results).Gates.Single(g => g.Pair == "light");
        gate.Should().BeEquivalentTo(new { Bound = "≤ 2", Value = "n/a", Status = "FAIL" });
        gate.Detail.Should().StartWith("finetune.kl.score is undefined (NaN), expected ≤ 2");
    }

    [Fact]
    public void Headline_table_lists_the_reference_studys_metrics_base_next_to_finetune()
    {
        var headline = Demo.Pairs.Single(p => p.Name == "code").Headline.Tables.Single();
        headline.Columns.Select(c => c.Header).Should().Equal("metric", "base", "finetune (ft-heavy)");
        headline.Rows.Select(r => r[0]).Should().Equal(
            "L0", "L1", "MSE", "explained variance (pooled)", "explained variance (legacy)", "R² (flat)",
            "reconstruction cosine", "L2 ratio ‖x̂‖/‖x‖", "CE clean", "CE with SAE", "CE zero-ablated",
            "CE delta (SAE - clean)", "CE loss recovered", "KL with SAE", "KL zero-ablated", "KL score", "dead features",
            "dense features (density > 0.1)");
        headline.Rows.Single(r => r[0] == "explained variance (pooled)").Should().Equal(
            "explained variance (pooled)", "0.9685", "-9.309");
        headline.Rows.Single(r => r[0] == "dense features (density > 0.1)")[2].Should().Be("30.03%");
    }

    [Fact]
    public void Pair_verdict_is_written_from_the_numbers()
    {
        var code = Demo.Pairs.Single(p => p.Name == "code");
        code.Verdict.Should().StartWith("The SAE does not transfer to ft-heavy: 2 of 3 gates fail — "
            + "mean activation similarity 0.4752 (needs ≥ 0.8) and finetune explained variance -9.309 (needs ≥ 0.8).");
        code.Verdict.Should().Contain("Explained variance falls from 0.9685 on the base to -9.309 on the finetune");
        code.Verdict.Should().Contain("above 1 because the loss with the SAE (5.243) is below the clean loss (5.443)");
        var light = Demo.Pairs.Single(p => p.Name == "light");
        light.Verdict.Should().StartWith("The SAE transfers to ft-light: all 3 gates pass.");

        var moved = ReportModel.From(DemoResults.WithPair("code", p =>
            p with { Finetune = p.Finetune with { Sae = p.Finetune.Sae with { ExplainedVariance = 0.5 } } }));
        moved.Pairs.Single(p => p.Name == "code").Verdict.Should()
            .Contain("falls from 0.9685 on the base to 0.5000 on the finetune.");
    }

    [Fact]
    public void A_pair_without_gates_passes_unchecked()
    {
        var model = ReportModel.From(DemoResults.WithPair("code", p => p with { Gates = [] }));
        var code = model.Pairs.Single(p => p.Name == "code");
        code.Passed.Should().BeTrue();
        code.Verdict.Should().StartWith("No gates are set for pair code (ft-heavy), so it passes without a check.");
        model.Verdict.Should().BeEquivalentTo(new { Passed = true, GateCount = 3, GatesFailed = 0 });
    }

    [Fact]
    public void Sections_come_in_report_order_with_every_chart_placed()
    {
        var light = Demo.Pairs.Single(p => p.Name == "light");
        light.Sections.Select(s => s.Id).Should().Equal("headline", "activations", "features", "transfer", "weights");
        var placed = light.Sections.SelectMany(s => s.Charts).Select(c => c.Id);
        placed.Should().Equal(ReportCharts.For(DemoResults.Load().Pairs[0]).Select(c => c.Id),
            "every chart is shown once, in ReportCharts' order");
        light.Headline.Charts.Should().BeEmpty("every chart kind has a section of its own (update ChartSections)");
        light.Activations.Charts.Select(c => c.Id).Should().Contain("light-cos-histogram");
        light.Weights.Charts.Select(c => c.Id).Should().Equal("light-weight-change");
    }

    [Fact]
    public void Provenance_lists_the_run_and_every_input_hash()
    {
        var run = Demo.Provenance.Run.Rows.ToDictionary(r => r[0], r => r[1]);
        run["tool"].Should().Be("saeaudit 0.1.0");
        run["SIMD"].Should().Be("AVX-512");
        run["peak memory"].Should().EndWith("MiB");
        run["manifest SHA-256"].Should().MatchRegex("^[0-9a-f]{64}$");
        var code = Demo.Provenance.Pairs.Single(p => p.Name == "code");
        code.Inputs.Rows.Should().HaveCount(8).And.OnlyContain(r => r[1].Length == 64);
        code.Parameters.Rows.Should().ContainEquivalentOf(new[] { "density_range", "[1e-05, 0.1]" });
    }

    [Fact]
    public void A_ragged_table_is_rejected()
    {
        var build = () => new ReportTable([ReportColumn.Text("a"), ReportColumn.Number("b")], [["only one"]]);
        build.Should().Throw<ArgumentException>().WithMessage("*1 cells but the table has 2 columns*");
    }
}
