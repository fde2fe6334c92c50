using SaeAudit.Cli;
using SaeAudit.Cli.Hosting;

namespace SaeAudit.Cli.Tests;

/// <summary>One in-process run of the command line.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The bad-input contract: exit 2, nothing on stdout, exactly one stderr line "error: ..." naming
    /// <paramref name="fileName"/>, and no stack trace.</summary>
    public void ShouldBeInvalidInput(string fileName)
    {
        var because = $"stderr was:\n{Stderr}";
        ExitCode.Should().Be(ExitCodes.InvalidInput, because);
        Stdout.Should().BeEmpty();
        StderrLines.Should().ContainSingle(because).Which.Should().StartWith("error: ").And.Contain(fileName);
        Stderr.Should().NotContain("   at ");
    }
}

internal static class Cli
{
    public static async Task<CliResult> RunAsync(params string[] args) => await RunAsync(CancellationToken.None, args);

    public static async Task<CliResult> RunAsync(CancellationToken cancellationToken, params string[] args) =>
        await RunAsync(new Dictionary<string, string>(), cancellationToken, args);

    /// <summary>Runs with <paramref name="variables"/> in place of the process's environment variables of those
    /// names. Every run hides the process's <c>GITHUB_STEP_SUMMARY</c>, so tests run in GitHub Actions never write
    /// into the real job summary.</summary>
    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> variables, params string[] args) =>
        await RunAsync(variables, CancellationToken.None, args);

    private static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> variables,
        CancellationToken cancellationToken, string[] args)
    {
        var environment = new CliEnvironment(name => variables.TryGetValue(name, out var value) ? value
            : name == CliEnvironment.StepSummaryVariable ? null
            : Environment.GetEnvironmentVariable(name));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await SaeAuditCli.RunAsync(args, stdout, stderr, environment, cancellationToken);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>A fresh temporary folder, deleted with the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("saeaudit-cli-tests-").FullName;

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
