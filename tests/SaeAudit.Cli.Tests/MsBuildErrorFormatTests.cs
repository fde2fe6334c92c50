using SaeAudit.Cli.Reporting;
using SaeAudit.Evaluation.Results;
using SaeAudit.Reporting;

namespace SaeAudit.Cli.Tests;

/// <summary><c>run --error-format msbuild</c>: failed gates and errors as MSBuild canonical diagnostics, which
/// MSBuild's Exec task reports as build errors or warnings.</summary>
public class MsBuildErrorFormatTests
{
    [Fact]
    public async Task Each_failed_gate_is_an_error_line_naming_manifest_pair_metric_value_and_bound()
    {
        using var temp = new TempFolder();
        var manifest = ReportTests.SmallTwoPairs().Write(temp);

        var result = await Cli.RunAsync("run", manifest, "--out", temp["out"], "--no-report", "--error-format", "msbuild");

        result.ExitCode.Should().Be(ExitCodes.GateFailed, result.Stderr);
        var value = ResultsJson.Read(temp["out/results.json"]).Pairs[1].Gates.Single().Value!.Value;
        DiagnosticLines(result.Stdout).Should().Equal(
            $"{manifest} : error SAEAUDIT001: pair 'code': {AuditManifests.SimilarityGate} = {NumberFormat.Format(value)}, expected ≥ 0.8");
        // The summary is still there, for the build log.
        result.Stdout.Should().Contain("overall: FAIL (1 of 2 pairs failed)");
    }

    [Fact]
    public async Task Not_failing_on_gates_exits_0_and_reports_failed_gates_as_warnings()
    {
        using var temp = new TempFolder();
        var manifest = ReportTests.SmallTwoPairs().Write(temp);

        var result = await Cli.RunAsync("run", manifest, "--out", temp["out"], "--pair", "code", "--no-report",
            "--error-format", "msbuild", "--fail-on-gates", "false");

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        ResultsJson.Read(temp["out/results.json"]).Passed.Should().BeFalse();
        DiagnosticLines(result.Stdout).Should().ContainSingle().Which.Should()
            .StartWith($"{manifest} : warning SAEAUDIT001: pair 'code': {AuditManifests.SimilarityGate} = ");
    }

    [Fact]
    public async Task Invalid_input_is_one_error_line_attributed_to_the_manifest()
    {
        using var temp = new TempFolder();
        var manifest = AuditManifests.TwoPairs().Write(temp);

        var result = await Cli.RunAsync("run", manifest, "--out", temp["out"], "--pair", "medium", "--error-format", "msbuild");

        result.ExitCode.Should().Be(ExitCodes.InvalidInput);
        result.Stdout.Should().BeEmpty();
        result.StderrLines.Should().ContainSingle().Which.Should().StartWith($"{manifest} : error SAEAUDIT002: {manifest}: --pair: no pair named 'medium'");
    }

    [Fact]
    public async Task Other_failures_are_one_error_line_with_their_own_code()
    {
        using var temp = new TempFolder();
        var manifest = AuditManifests.TwoPairs().Write(temp);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var result = await Cli.RunAsync(cancelled.Token, "run", manifest, "--out", temp["out"], "--error-format", "msbuild");

        result.ExitCode.Should().Be(ExitCodes.Cancelled);
        result.StderrLines.Where(line => line.Contains("error")).Should().Equal($"{manifest} : error {MsBuildDiagnostics.FailureCode}: cancelled");
    }

    private static IEnumerable<string> DiagnosticLines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.TrimEntries).Where(line => line.Contains(" SAEAUDIT"));
}
