using SaeAudit.Cli;

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

    public static async Task<CliResult> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await SaeAuditCli.RunAsync(args, stdout, stderr, cancellationToken);
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
