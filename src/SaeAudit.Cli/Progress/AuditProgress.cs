using Microsoft.Extensions.Logging;
using SaeAudit.Cli.Hosting;
using SaeAudit.Evaluation;

namespace SaeAudit.Cli.Progress;

/// <summary>Shows an audit's progress on stderr, so stdout carries the summary only: live bars on a terminal, log
/// lines when stderr is redirected or in CI (a bar redrawn in a log file is noise).</summary>
internal static class AuditProgress
{
    public static T Run<T>(CliConsole console, ILogger log, Func<IAuditProgress, T> work) =>
        console.ErrorInteractive
            ? ProgressBars.Run(console.CreateErrorConsole(), work)
            : work(new LogLineProgress(log));
}
