using System.CommandLine;
using SaeAudit.Cli.Hosting;
using SaeAudit.Cli.Reporting;
using SaeAudit.Evaluation.Results;
using SaeAudit.Models;

namespace SaeAudit.Cli.Commands;

/// <summary><c>saeaudit report &lt;results.json&gt; [--format md,pdf,junit] [--out &lt;dir&gt;] [--template &lt;file&gt;]
/// [--fail-on-gates]</c>: renders the reports again from a results file alone, without recomputing anything; the
/// same results file gives the same bytes <c>run</c> wrote.
/// <para>Exits 0 when the reports were written, whatever the audit's verdict: re-rendering an old failing run must
/// not fail a CI step that only publishes reports. <c>--fail-on-gates</c> makes it exit 1 when the results failed a
/// gate, for a pipeline that gates on a results file produced elsewhere.</para></summary>
internal sealed class ReportCommand(CliConsole console) : ICliCommand
{
    public Command Create()
    {
        var results = new Argument<string>("results") { Description = $"The {RunCommand.ResultsFileName} written by 'saeaudit run'" };
        var formats = ReportFormatOption.Create("--format", "Reports to render", ReportFormats.Markdown | ReportFormats.Pdf);
        var output = new Option<string>("--out")
        {
            Description = "Folder for the reports (default: the results file's folder)",
            HelpName = "dir",
        };
        var template = new Option<string>("--template")
        {
            Description = "Handlebars template for report.md instead of the built-in one (partials from a partials/ folder beside it)",
            HelpName = "file.hbs",
        };
        var failOnGates = new Option<bool>("--fail-on-gates")
        {
            Description = "Exit 1 when the results failed a gate (default: exit 0 once the reports are written)",
        };
        var command = new Command("report", "Render the reports (Markdown with SVG charts, PDF, JUnit XML) from a results file, without recomputing")
        {
            results, formats, output, template, failOnGates,
        };
        command.SetAction(parse => Report(
            parse.GetRequiredValue(results),
            parse.GetValue(output),
            ReportFormatOption.Parse(parse.GetValue(formats)),
            parse.GetValue(template),
            parse.GetValue(failOnGates)));
        return command;
    }

    private int Report(string resultsPath, string? outputDirectory, ReportFormats formats, string? templatePath, bool failOnGates)
    {
        if (Directory.Exists(resultsPath))
            throw InvalidInputException.For(resultsPath, null, $"is a folder; expected a results file ({RunCommand.ResultsFileName})");
        var folder = outputDirectory ?? ResultsFolder(resultsPath);
        var request = new ReportRequest(folder, formats, JUnitPath: null, templatePath);
        request.Validate();
        var results = ResultsJson.Read(resultsPath);

        foreach (var path in ReportWriter.Write(results, request))
            console.Out.WriteLine($"wrote {path}");
        ConsoleSummary.WriteVerdicts(console.CreateAnsiConsole(), results);
        return failOnGates && !results.Passed ? ExitCodes.GateFailed : ExitCodes.Ok;
    }

    /// <summary>The folder of the results file ("." for a bare file name).</summary>
    private static string ResultsFolder(string resultsPath) =>
        Path.GetDirectoryName(resultsPath) is { Length: > 0 } parent ? parent : ".";
}
