using SaeAudit.Testing;

namespace SaeAudit.Cli.Tests;

public class HostTests
{
    [Fact]
    public async Task Version_prints_the_tool_version()
    {
        var result = await Cli.RunAsync("--version");

        result.ExitCode.Should().Be(ExitCodes.Ok);
        result.Stdout.Should().StartWith("saeaudit 0.1.0");
        result.Stderr.Should().BeEmpty();
    }

    [Fact]
    public async Task Help_lists_the_commands()
    {
        var result = await Cli.RunAsync("--help");

        result.ExitCode.Should().Be(ExitCodes.Ok);
        result.Stdout.Should().Contain("inspect").And.Contain("trace").And.Contain("--threads");
    }

    [Theory]
    [InlineData(new string[0], "Required command")]
    [InlineData(new[] { "frobnicate" }, "frobnicate")]
    [InlineData(new[] { "inspect", "model" }, "model")]
    [InlineData(new[] { "--threads", "0", "inspect", "model", "x" }, "--threads")]
    [InlineData(new[] { "--threads", "many", "inspect", "model", "x" }, "many")]
    [InlineData(new[] { "trace", "--model", "m", "--out", "o" }, "--input-ids")]
    [InlineData(new[] { "trace", "--model", "m", "--out", "o", "--text", "a", "--input-ids", "b" }, "--input-ids")]
    public async Task Command_line_errors_exit_2_with_one_error_line(string[] args, string mentioned)
    {
        var result = await Cli.RunAsync(args);

        result.ExitCode.Should().Be(ExitCodes.InvalidInput);
        result.Stdout.Should().BeEmpty();
        result.StderrLines.Should().ContainSingle().Which.Should().StartWith("error: ").And.Contain(mentioned);
    }

    [Fact]
    public async Task Other_failures_exit_3_with_the_exception_type_and_no_stack_trace()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["blocker"], "a file where --out needs a folder's parent");

        var result = await Cli.RunAsync("trace", "--model", Fixtures.Path("gpt2-tiny", "models", "base"),
            "--input-ids", Fixtures.Path("gpt2-tiny", "reference", "input_ids.npy"), "--out", temp["blocker/trace"]);

        result.ExitCode.Should().Be(ExitCodes.Failure, result.Stderr);
        result.StderrLines.Should().ContainSingle().Which.Should().MatchRegex(@"^error: \w+Exception: ");
        result.Stderr.Should().NotContain("   at ");
    }

    [Fact]
    public async Task Debug_variable_adds_the_stack_trace_to_other_failures()
    {
        // Tests of one class run one at a time, and only this class provokes failures of this kind.
        using var temp = new TempFolder();
        File.WriteAllText(temp["blocker"], "a file where --out needs a folder's parent");
        Environment.SetEnvironmentVariable(SaeAuditCli.DebugVariable, "1");
        try
        {
            var result = await Cli.RunAsync("trace", "--model", Fixtures.Path("gpt2-tiny", "models", "base"),
                "--input-ids", Fixtures.Path("gpt2-tiny", "reference", "input_ids.npy"), "--out", temp["blocker/trace"]);

            result.ExitCode.Should().Be(ExitCodes.Failure, result.Stderr);
            result.StderrLines[0].Should().MatchRegex(@"^error: \w+Exception: ");
            result.Stderr.Should().Contain("   at ");
        }
        finally
        {
            Environment.SetEnvironmentVariable(SaeAuditCli.DebugVariable, null);
        }
    }

    [Fact]
    public async Task Cancellation_exits_130_and_leaves_no_output()
    {
        using var temp = new TempFolder();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var result = await Cli.RunAsync(cancelled.Token, "trace", "--model", Fixtures.Path("gpt2-tiny", "models", "base"),
            "--input-ids", Fixtures.Path("gpt2-tiny", "reference", "input_ids.npy"), "--out", temp["trace"]);

        result.ExitCode.Should().Be(ExitCodes.Cancelled, result.Stderr);
        result.StderrLines.Should().Contain("error: cancelled");
        Directory.EnumerateFileSystemEntries(temp.Path).Should().BeEmpty("nothing is left half-written");
    }
}
