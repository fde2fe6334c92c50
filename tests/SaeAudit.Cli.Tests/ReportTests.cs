using System.Xml.Linq;
using SaeAudit.Cli.Hosting;
using SaeAudit.Cli.Reporting;
using SaeAudit.Evaluation.Results;
using SaeAudit.Reporting;
using SaeAudit.Reporting.Markdown;
using SaeAudit.Testing;

namespace SaeAudit.Cli.Tests;

/// <summary><c>run</c>'s reports (Markdown with charts, PDF, JUnit, the CI job summary) and <c>saeaudit report</c>,
/// which renders the same reports from a results file alone.</summary>
public class ReportTests
{
    /// <summary>The demo's real results file: <c>light</c> passes its gates, <c>code</c> fails two.</summary>
    private static readonly string DemoResults =
        Path.Combine(Fixtures.RepoRoot, "tests", "SaeAudit.Reporting.Tests", "Data", "demo-results.json");

    [Fact]
    public async Task Run_writes_the_reports_the_junit_file_and_the_job_summary_and_report_rerenders_them_byte_for_byte()
    {
        using var temp = new TempFolder();
        var manifest = SmallTwoPairs().Write(temp);
        File.WriteAllText(temp["summary.md"], "earlier step\n");
        var environment = new Dictionary<string, string> { [CliEnvironment.StepSummaryVariable] = temp["summary.md"] };

        var run = await Cli.RunAsync(environment, "run", manifest, "--out", temp["out"], "--junit", temp["ci/junit.xml"]);

        run.ExitCode.Should().Be(ExitCodes.GateFailed, run.Stderr);
        var results = ResultsJson.Read(temp["out/results.json"]);
        File.ReadAllText(temp["out/report.md"]).Should().Contain("](charts/code-cos-histogram.svg)");
        Directory.GetFiles(temp["out/charts"], "*.svg").Should().HaveCount(22);
        File.ReadAllBytes(temp["out/report.pdf"]).Should().StartWith("%PDF-"u8.ToArray());
        File.Exists(temp["out/junit.xml"]).Should().BeFalse("--junit names where the XML goes");
        run.Stdout.Should().Contain($"reports: {temp["out/report.md"]}, {temp["out/report.pdf"]}, {temp["ci/junit.xml"]}");

        var gate = results.Pairs[1].Gates.Single();
        var failure = XDocument.Load(temp["ci/junit.xml"]).Descendants("failure").Should().ContainSingle().Subject;
        ((string)failure.Attribute("message")!).Should().Be(
            $"{AuditManifests.SimilarityGate} = {NumberFormat.Format(gate.Value!.Value)}, expected ≥ 0.8");

        File.ReadAllText(temp["summary.md"]).Should().Be("earlier step\n" + MarkdownReport.Summary(results));

        // The same results file, rendered again elsewhere: the same bytes, charts included.
        var report = await Cli.RunAsync("report", temp["out/results.json"], "--out", temp["again"], "--format", "md,pdf,junit");

        report.ExitCode.Should().Be(ExitCodes.Ok, report.Stderr);
        File.ReadAllBytes(temp["again/report.md"]).Should().Equal(File.ReadAllBytes(temp["out/report.md"]));
        File.ReadAllBytes(temp["again/report.pdf"]).Should().Equal(File.ReadAllBytes(temp["out/report.pdf"]));
        File.ReadAllBytes(temp["again/junit.xml"]).Should().Equal(File.ReadAllBytes(temp["ci/junit.xml"]));
        foreach (var chart in Directory.GetFiles(temp["out/charts"]))
            File.ReadAllBytes(temp[Path.Combine("again", "charts", Path.GetFileName(chart))]).Should().Equal(File.ReadAllBytes(chart));
    }

    [Fact]
    public async Task No_report_writes_only_the_results_file()
    {
        using var temp = new TempFolder();
        var manifest = SmallTwoPairs().Write(temp);

        var result = await Cli.RunAsync("run", manifest, "--out", temp["out"], "--pair", "light", "--no-report");

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        Directory.EnumerateFileSystemEntries(temp["out"]).Select(Path.GetFileName).Should().Equal("results.json");
        result.Stdout.Should().NotContain("reports:");
    }

    [Fact]
    public async Task Report_writes_markdown_and_pdf_beside_the_results_by_default_and_exits_0_whatever_the_verdict()
    {
        using var temp = new TempFolder();
        File.Copy(DemoResults, temp["results.json"]);

        var result = await Cli.RunAsync("report", temp["results.json"]);

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        var (markdown, charts) = MarkdownReport.Render(ResultsJson.Read(DemoResults));
        File.ReadAllText(temp["report.md"]).Should().Be(markdown);
        charts.Should().OnlyContain(chart => File.Exists(temp[chart.RelativePath]));
        File.Exists(temp["report.pdf"]).Should().BeTrue();
        File.Exists(temp["junit.xml"]).Should().BeFalse();
        result.Stdout.Should().Contain($"wrote {temp["report.md"]}").And.Contain($"wrote {temp["report.pdf"]}");
        result.Stdout.Should().Contain("code: FAIL").And.Contain("overall: FAIL (1 of 2 pairs failed)");
        result.Stderr.Should().BeEmpty();
    }

    [Fact]
    public async Task Report_fail_on_gates_exits_1_for_failed_results()
    {
        using var temp = new TempFolder();

        var result = await Cli.RunAsync("report", DemoResults, "--out", temp.Path, "--format", "junit", "--fail-on-gates");

        result.ExitCode.Should().Be(ExitCodes.GateFailed, result.Stderr);
        Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName).Should().Equal(ReportWriter.JUnitFileName);
    }

    [Fact]
    public async Task Report_uses_a_user_template_for_the_markdown()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["mine.md.hbs"], "# {{Title}}: {{Verdict.Status}}\n");

        var result = await Cli.RunAsync("report", DemoResults, "--out", temp["out"], "--format", "md", "--template", temp["mine.md.hbs"]);

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        File.ReadAllText(temp["out/report.md"]).Should().Be("# SAE transfer audit: FAIL\n");
    }

    [Theory]
    [InlineData("--format", "md,html", "html")]
    [InlineData("--format", ",", "--format")]
    [InlineData("--template", "missing.hbs", "missing.hbs")]
    public async Task Report_command_line_errors_exit_2_with_one_error_line(string option, string value, string mentioned)
    {
        using var temp = new TempFolder();

        var result = await Cli.RunAsync("report", DemoResults, "--out", temp.Path, option, value);

        result.ExitCode.Should().Be(ExitCodes.InvalidInput);
        result.Stdout.Should().BeEmpty();
        result.StderrLines.Should().ContainSingle().Which.Should().StartWith("error: ").And.Contain(mentioned);
        Directory.EnumerateFileSystemEntries(temp.Path).Should().BeEmpty();
    }

    [Fact]
    public async Task Template_without_markdown_is_an_input_error()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["mine.md.hbs"], "{{Title}}");

        var result = await Cli.RunAsync("report", DemoResults, "--out", temp["out"], "--format", "pdf", "--template", temp["mine.md.hbs"]);

        result.ShouldBeInvalidInput("mine.md.hbs");
        result.Stderr.Should().Contain("--template");
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("not_json")]
    [InlineData("folder")]
    public async Task Unreadable_results_exit_2_naming_the_file(string kind)
    {
        using var temp = new TempFolder();
        var path = temp["results.json"];
        if (kind == "not_json") File.WriteAllText(path, "{ \"schema_version\": 1, ");
        if (kind == "folder") Directory.CreateDirectory(path);

        var result = await Cli.RunAsync("report", path, "--out", temp["out"]);

        result.ShouldBeInvalidInput("results.json");
        Directory.Exists(temp["out"]).Should().BeFalse();
    }

    [Fact]
    public async Task Report_and_no_report_cannot_be_combined()
    {
        using var temp = new TempFolder();
        var manifest = SmallTwoPairs().Write(temp);

        var result = await Cli.RunAsync("run", manifest, "--out", temp["out"], "--report", "md", "--no-report");

        result.ExitCode.Should().Be(ExitCodes.InvalidInput);
        result.StderrLines.Should().ContainSingle().Which.Should().Contain("--no-report");
    }

    /// <summary>The two-pair manifest at 1024 tokens a pair: light still passes its gate and code fails it.</summary>
    internal static System.Text.Json.Nodes.JsonObject SmallTwoPairs()
    {
        var manifest = AuditManifests.TwoPairs();
        manifest.Defaults()["n_tokens"] = 1024;
        return manifest;
    }
}
