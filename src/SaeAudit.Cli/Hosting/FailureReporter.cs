using SaeAudit.Cli.Reporting;
using SaeAudit.Models;

namespace SaeAudit.Cli.Hosting;

/// <summary>Maps a failure to its exit code (<see cref="ExitCodes"/>) and one stderr line: <c>error: ...</c>, or, once
/// a command has switched to MSBuild's format (<c>run --error-format msbuild</c>), a canonical MSBuild error
/// attributed to the command's input file, so that MSBuild's Exec task lists exactly one build error for it.</summary>
internal sealed class FailureReporter(TextWriter stderr, CliEnvironment environment)
{
    private string? _msBuildFile;

    /// <summary>From now on, failures are written as <c>&lt;file&gt; : error SAEAUDIT00x: ...</c>.</summary>
    public void UseMsBuildFormat(string file) => _msBuildFile = file;

    public int Report(Exception exception, CancellationToken cancellationToken)
    {
        // Parallel loops wrap what a worker threw; report the original.
        while (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
            exception = aggregate.InnerExceptions[0];

        switch (exception)
        {
            case InvalidInputException invalid:
                WriteError(MsBuildDiagnostics.InvalidInputCode, OneLine(invalid.Message));
                return ExitCodes.InvalidInput;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                WriteError(MsBuildDiagnostics.FailureCode, "cancelled");
                return ExitCodes.Cancelled;
            default:
                WriteError(MsBuildDiagnostics.FailureCode, $"{exception.GetType().Name}: {OneLine(exception.Message)}");
                if (environment.Debug)
                    stderr.WriteLine(exception.ToString());
                return ExitCodes.Failure;
        }
    }

    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private void WriteError(string code, string message) =>
        stderr.WriteLine(_msBuildFile is null ? $"error: {message}" : MsBuildDiagnostics.Error(_msBuildFile, code, message));
}
