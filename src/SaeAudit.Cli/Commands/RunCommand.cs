using System.CommandLine;
using System.Text;
using Microsoft.Extensions.Logging;
using SaeAudit.Cli.Hosting;
using SaeAudit.Cli.Progress;
using SaeAudit.Cli.Reporting;
using SaeAudit.Evaluation;
using SaeAudit.Evaluation.Manifests;
using SaeAudit.Evaluation.Results;
using SaeAudit.Models;
using SaeAudit.Reporting.Markdown;
using SaeAudit.Tensors;

namespace SaeAudit.Cli.Commands;

/// <summary><c>saeaudit run &lt;manifest.json&gt; [--out &lt;dir&gt;] [--pair &lt;name&gt;]...</c>: audits every pair
/// (or the selected ones), writes <c>results.json</c> and the reports rendered from it, prints the summary and exits
/// 0 when every gate passes, 1 when one fails (SPEC §9).</summary>
internal sealed class RunCommand(
    CliConsole console, GlobalOptions global, CliEnvironment environment, FailureReporter failures, ILogger<RunCommand> log)
    : ICliCommand
{
    public const string ResultsFileName = "results.json";

    /// <summary>Where results go without <c>--out</c>: out/&lt;manifest name&gt; under the current folder.</summary>
    public const string DefaultOutputRoot = "out";

    private const string TextErrorFormat = "text";
    private const string MsBuildErrorFormat = "msbuild";

    /// <summary>The parsed command line of one run.</summary>
    private sealed record Settings(
        string ManifestPath, string? OutputDirectory, string[] PairNames, ReportFormats Reports, string? JUnitPath,
        string? TemplatePath, bool FailOnGates, bool MsBuildErrors);

    public Command Create()
    {
        var manifest = new Argument<string>("manifest") { Description = "The manifest (.json) naming the pairs to audit" };
        var output = new Option<string>("--out")
        {
            Description = $"Folder for {ResultsFileName} and the reports (default: {DefaultOutputRoot}/<manifest file name without extension>)",
            HelpName = "dir",
        };
        var pairs = new Option<string[]>("--pair")
        {
            Description = "Audit only this pair (repeat the option for several); default: every pair",
            HelpName = "name",
        };
        var report = ReportFormatOption.Create("--report", "Reports to render into the --out folder after the results",
            ReportFormats.Markdown | ReportFormats.Pdf);
        var noReport = new Option<bool>("--no-report") { Description = $"Write {ResultsFileName} only (--junit still applies)" };
        var junit = new Option<string>("--junit") { Description = "Also write the gates as JUnit XML to this file", HelpName = "file" };
        var template = new Option<string>("--template")
        {
            Description = "Handlebars template for report.md instead of the built-in one (partials from a partials/ folder beside it)",
            HelpName = "file.hbs",
        };
        var failOnGates = new Option<bool>("--fail-on-gates")
        {
            Description = "Exit 1 when a gate fails (default: true); false: exit 0, the results and reports still say FAIL, and --error-format msbuild prints failed gates as warnings",
            HelpName = "true|false",
            DefaultValueFactory = _ => true,
        };
        var errorFormat = new Option<string>("--error-format")
        {
            Description = $"'{MsBuildErrorFormat}': print each failed gate (after the summary) and any error as an MSBuild " +
                "diagnostic line ('<manifest> : error SAEAUDIT001: ...') that MSBuild's Exec task reports as a build error",
            HelpName = "format",
            DefaultValueFactory = _ => TextErrorFormat,
        }.AcceptOnlyFromAmong(TextErrorFormat, MsBuildErrorFormat);

        var command = new Command("run", "Audit the manifest's pairs, write results.json and the reports, print the summary; exit 1 if a gate fails")
        {
            manifest, output, pairs, report, noReport, junit, template, failOnGates, errorFormat,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(report) is { Implicit: false } && result.GetResult(noReport) is not null)
                result.AddError("--report and --no-report cannot be combined");
        });
        command.SetAction((parse, cancellationToken) => Task.FromResult(Run(
            new Settings(
                parse.GetRequiredValue(manifest),
                parse.GetValue(output),
                parse.GetValue(pairs) ?? [],
                parse.GetValue(noReport) ? ReportFormats.None : ReportFormatOption.Parse(parse.GetValue(report)),
                parse.GetValue(junit),
                parse.GetValue(template),
                parse.GetValue(failOnGates),
                parse.GetValue(errorFormat) == MsBuildErrorFormat),
            global.CreateBackend(parse),
            cancellationToken)));
        return command;
    }

    private int Run(Settings settings, IComputeBackend backend, CancellationToken cancellationToken)
    {
        if (settings.MsBuildErrors) failures.UseMsBuildFormat(settings.ManifestPath);

        // Everything that can be checked up front is, so bad input fails before minutes of compute; input errors
        // found mid-run (a dataset too short, an SAE that does not fit) abort before anything is written.
        var manifest = SelectPairs(ManifestLoader.Load(settings.ManifestPath), settings.ManifestPath, settings.PairNames);
        var folder = settings.OutputDirectory ?? Path.Combine(DefaultOutputRoot, Path.GetFileNameWithoutExtension(settings.ManifestPath));
        var reports = new ReportRequest(folder, settings.Reports, settings.JUnitPath, settings.TemplatePath);
        reports.Validate();
        var resultsPath = ResultsPath(folder);

        var computed = AuditProgress.Run(console, log, progress => new AuditRunner(backend, progress).Run(manifest, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        ResultsJson.Write(resultsPath, computed);

        // Everything below renders from the file just written, not from the results in memory, so `saeaudit report`
        // on that file later writes the same bytes.
        var results = ResultsJson.Read(resultsPath);
        var reportPaths = ReportWriter.Write(results, reports);
        if (environment.StepSummaryPath is { } stepSummary)
            File.AppendAllText(stepSummary, MarkdownReport.Summary(results), new UTF8Encoding(false));

        ConsoleSummary.Write(console.CreateAnsiConsole(), results, resultsPath, reportPaths);
        if (settings.MsBuildErrors)
        {
            foreach (var line in MsBuildDiagnostics.GateFailures(results, settings.ManifestPath, asErrors: settings.FailOnGates))
                console.Out.WriteLine(line);
        }
        return results.Passed || !settings.FailOnGates ? ExitCodes.Ok : ExitCodes.GateFailed;
    }

    /// <summary>The manifest's pairs named by <c>--pair</c>, in manifest order; all of them when none is named.</summary>
    private static Manifest SelectPairs(Manifest manifest, string manifestPath, string[] names)
    {
        if (names.Length == 0) return manifest;
        var known = manifest.Pairs.Select(p => p.Name).ToList();
        var unknown = names.FirstOrDefault(name => !known.Contains(name, StringComparer.Ordinal));
        if (unknown is not null)
            throw InvalidInputException.For(manifestPath, "--pair",
                $"no pair named '{unknown}' (the manifest has: {string.Join(", ", known)})");
        return manifest with { Pairs = manifest.Pairs.Where(p => names.Contains(p.Name, StringComparer.Ordinal)).ToList() };
    }

    private static string ResultsPath(string folder)
    {
        var path = Path.Combine(folder, ResultsFileName);
        if (Directory.Exists(path))
            throw InvalidInputException.For(path, "--out", $"is a folder; {ResultsFileName} cannot be written there");
        return path;
    }
}
