using System.Text.RegularExpressions;
using SaeAudit.Models;
using SaeAudit.Reporting.Markdown;
using SaeAudit.Reporting.Tests.Model;
using SaeAudit.Reporting.Tests.Snapshots;

namespace SaeAudit.Reporting.Tests.Markdown;

public class MarkdownReportTests : IDisposable
{
    private const string VerifiedFolder = "tests/SaeAudit.Reporting.Tests/Markdown/Verified";

    private readonly string _scratch = Directory.CreateTempSubdirectory("saeaudit-md-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public void Demo_report_matches_its_snapshot()
    {
        var (markdown, _) = MarkdownReport.Render(DemoResults.Load());
        Snapshot.Match(markdown, VerifiedFolder, "demo-report", "md");
    }

    [Fact]
    public void Demo_summary_matches_its_snapshot() =>
        Snapshot.Match(MarkdownReport.Summary(DemoResults.Load()), VerifiedFolder, "demo-summary", "md");

    [Fact]
    public void Every_table_is_a_well_formed_github_table()
    {
        var (markdown, _) = MarkdownReport.Render(DemoResults.Load());
        MarkdownTables.Count(markdown).Should().BeGreaterThan(10);
        MarkdownTables.Problems(markdown).Should().BeEmpty();
        MarkdownTables.Problems(MarkdownReport.Summary(DemoResults.Load())).Should().BeEmpty();
    }

    [Fact]
    public void A_pipe_in_a_name_cannot_break_a_table()
    {
        var results = DemoResults.WithPair("code", p => p with { Name = "code|v2" });
        results = results with
        {
            Provenance = results.Provenance with
            {
                Pairs = results.Provenance.Pairs.Select(p => p.Name == "code" ? p with { Name = "code|v2" } : p).ToList(),
            },
        };
        var (markdown, _) = MarkdownReport.Render(results);
        markdown.Should().Contain(@"| code\|v2 | `transfer.activation_similarity.mean` |");
        MarkdownTables.Problems(markdown).Should().BeEmpty();
    }

    [Fact]
    public void Undefined_metrics_render_as_na()
    {
        var results = DemoResults.WithPair("code", p => p with
        {
            Activations = p.Activations with { TauBase = null, TauFinetune = null },
            Finetune = p.Finetune with { Sae = p.Finetune.Sae with { ExplainedVariance = double.NaN } },
            Transfer = p.Transfer with
            {
                ActivationSimilarity = p.Transfer.ActivationSimilarity with
                {
                    N = 0, Undefined = 0, Mean = double.NaN, Median = double.NaN, FracGe08 = double.NaN,
                },
            },
            Gates = [new("finetune.sae.explained_variance", 0.8, null, null, false)],
        });

        var (markdown, _) = MarkdownReport.Render(results);

        markdown.Should().Contain("| explained variance (pooled) | 0.9685 | n/a |")
            .And.Contain("| outlier thresholds τ_B / τ_F | n/a (no outlier filter) |")
            .And.Contain("| code | `finetune.sae.explained_variance` | ≥ 0.8 | n/a | ❌ FAIL |")
            .And.Contain("1 of 1 gate fails — finetune explained variance undefined (needs ≥ 0.8).")
            .And.Contain("No regular features could be compared");
        MarkdownTables.Problems(markdown).Should().BeEmpty();
    }

    [Fact]
    public void Verdict_and_gates_come_first_then_pairs_then_provenance()
    {
        var (markdown, _) = MarkdownReport.Render(DemoResults.Load());
        var headings = markdown.Split('\n').Where(l => l.StartsWith("## ", StringComparison.Ordinal)).ToList();
        headings.Should().Equal(
            "## Verdict: ❌ FAIL", "## ✅ PASS Pair light: base → ft-light", "## ❌ FAIL Pair code: base → ft-heavy",
            "## Provenance");
        markdown.Should().Contain("| code | `transfer.activation_similarity.mean` | ≥ 0.8 | 0.4752 | ❌ FAIL |");
    }

    [Fact]
    public void Every_chart_the_report_shows_is_a_file_beside_it()
    {
        var (markdown, files) = MarkdownReport.Render(DemoResults.Load());
        var referenced = Regex.Matches(markdown, @"!\[[^\]]*\]\(([^)]+)\)").Select(m => m.Groups[1].Value).ToList();
        referenced.Should().NotBeEmpty().And.OnlyHaveUniqueItems();
        files.Select(f => f.RelativePath).Should().BeEquivalentTo(referenced);
        files.Should().OnlyContain(f => f.RelativePath.StartsWith("charts/") && f.Content.StartsWith("<svg"));
    }

    [Fact]
    public void Changing_one_number_changes_the_markdown()
    {
        var (before, _) = MarkdownReport.Render(DemoResults.Load());
        var (after, _) = MarkdownReport.Render(DemoResults.WithLightCeScore(0.5));
        after.Should().NotBe(before);
        after.Should().Contain("| CE loss recovered | 0.9962 | 0.5000 |");
    }

    [Fact]
    public void A_user_template_renders_the_model_with_the_helpers_and_its_own_partials()
    {
        var template = Path.Combine(_scratch, "mine.md.hbs");
        File.WriteAllText(template,
            "# {{Verdict.Status}} {{badge Verdict.Passed}}\n{{#each Pairs}}{{> line}}{{/each}}\n"
            + "raw: {{fmt Results.Provenance.Run.WallSeconds}} s, {{pct Results.Pairs.[1].Finetune.Sae.DenseFraction}} dense\n"
            + "{{table GateTable badge=\"result\"}}");
        Directory.CreateDirectory(Path.Combine(_scratch, "partials"));
        File.WriteAllText(Path.Combine(_scratch, "partials", "line.hbs"), "- {{Name}}: {{Status}}\n");

        var (markdown, _) = MarkdownReport.Render(DemoResults.Load(), new MarkdownOptions { TemplatePath = template });

        markdown.Should().StartWith("# FAIL ❌ FAIL\n- light: PASS\n- code: FAIL\n");
        markdown.Should().MatchRegex(@"raw: \d+\.\d+ s, 30\.03% dense");
        markdown.Should().Contain("| code | `finetune.sae.explained_variance` | ≥ 0.8 | -9.309 | ❌ FAIL |");
    }

    [Fact]
    public void A_user_partial_overrides_the_default_one_of_that_name()
    {
        var template = Path.Combine(_scratch, "report.md.hbs");
        File.WriteAllText(template, "{{> provenance Provenance}}");
        Directory.CreateDirectory(Path.Combine(_scratch, "partials"));
        File.WriteAllText(Path.Combine(_scratch, "partials", "provenance.hbs"), "{{table Run}}");

        var (markdown, _) = MarkdownReport.Render(DemoResults.Load(), new MarkdownOptions { TemplatePath = template });

        markdown.Should().StartWith("| field | value |").And.NotContain("## Provenance");
    }

    [Theory]
    [InlineData("{{Verdict.Stauts}}", "*Stauts*")]
    [InlineData("{{#each Pairs}}", "*each*")]
    [InlineData("{{nohelper Pairs}}", "*nohelper*")]
    public void A_broken_user_template_is_invalid_input_naming_the_file(string source, string problem)
    {
        var template = Path.Combine(_scratch, "broken.md.hbs");
        File.WriteAllText(template, source);
        var render = () => MarkdownReport.Render(DemoResults.Load(), new MarkdownOptions { TemplatePath = template });
        render.Should().Throw<InvalidInputException>().WithMessage($"{template}: template error: {problem}");
    }

    [Fact]
    public void A_missing_user_template_is_invalid_input()
    {
        var template = Path.Combine(_scratch, "absent.md.hbs");
        var render = () => MarkdownReport.Render(DemoResults.Load(), new MarkdownOptions { TemplatePath = template });
        render.Should().Throw<InvalidInputException>().WithMessage($"{template}: cannot read the template: *");
    }

    [Fact]
    public void Write_creates_the_report_and_its_charts_and_leaves_no_temporary_files()
    {
        var outDir = Path.Combine(_scratch, "report");
        var path = MarkdownReport.Write(DemoResults.Load(), outDir);

        path.Should().Be(Path.Combine(outDir, "report.md"));
        File.ReadAllText(path).Should().Be(MarkdownReport.Render(DemoResults.Load()).Markdown);
        Directory.GetFiles(Path.Combine(outDir, "charts"), "*.svg").Should().HaveCount(22);
        Directory.GetFileSystemEntries(_scratch).Should().Equal(outDir);
    }

    [Fact]
    public void Write_into_an_existing_folder_replaces_the_report_and_keeps_other_files()
    {
        var outDir = Path.Combine(_scratch, "existing");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "report.md"), "old");
        File.WriteAllText(Path.Combine(outDir, "results.json"), "{}");

        MarkdownReport.Write(DemoResults.WithLightCeScore(0.5), outDir);

        File.ReadAllText(Path.Combine(outDir, "report.md")).Should().Contain("| CE loss recovered | 0.9962 | 0.5000 |");
        File.ReadAllText(Path.Combine(outDir, "results.json")).Should().Be("{}");
        Directory.GetFileSystemEntries(_scratch).Should().Equal(outDir);
    }

    [Fact]
    public void Tidy_collapses_blank_lines_but_not_inside_code_fences()
    {
        MarkdownText.Tidy("\n\na  \n\n\n\nb\n```\nx\n\n\ny\n```\n\n\n").Should().Be("a\n\nb\n```\nx\n\n\ny\n```\n");
    }
}
