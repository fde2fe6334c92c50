namespace SaeAudit.Cli.Hosting;

/// <summary>The environment variables the command line reads. Injectable so that in-process callers (tests, which
/// run in parallel in one process) can give each run its own variables instead of changing the process's.</summary>
internal sealed class CliEnvironment(Func<string, string?> variable)
{
    /// <summary>GitHub Actions' job summary file: <c>run</c> appends the Markdown summary to it when it is set.</summary>
    public const string StepSummaryVariable = "GITHUB_STEP_SUMMARY";

    public static CliEnvironment Process { get; } = new(Environment.GetEnvironmentVariable);

    public string? this[string name] => variable(name);

    /// <summary>True when the <c>CI</c> variable is set (GitHub Actions, GitLab, Azure set it to true).</summary>
    public bool IsContinuousIntegration =>
        this["CI"] is { Length: > 0 } ci && !ci.Equals("false", StringComparison.OrdinalIgnoreCase) && ci != "0";

    /// <summary>The job summary file, or null outside GitHub Actions.</summary>
    public string? StepSummaryPath => this[StepSummaryVariable] is { Length: > 0 } path ? path : null;

    public bool Debug => this[SaeAuditCli.DebugVariable] == "1";
}
