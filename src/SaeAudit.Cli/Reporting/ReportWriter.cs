using SaeAudit.Evaluation.Results;
using SaeAudit.Models;
using SaeAudit.Reporting.JUnit;
using SaeAudit.Reporting.Markdown;
using SaeAudit.Reporting.Pdf;

namespace SaeAudit.Cli.Reporting;

/// <summary>What to render and where: the Markdown report (with its charts) and the PDF go into
/// <paramref name="Folder"/>; the JUnit XML to <paramref name="JUnitPath"/> when one is given (which selects JUnit
/// whatever <paramref name="Formats"/> says), else to <c>&lt;Folder&gt;/junit.xml</c> when JUnit is among the
/// formats. <paramref name="TemplatePath"/>: the user's Handlebars template for the Markdown report.</summary>
internal sealed record ReportRequest(string Folder, ReportFormats Formats, string? JUnitPath, string? TemplatePath)
{
    public string? JUnitDestination =>
        JUnitPath ?? (Formats.HasFlag(ReportFormats.JUnit) ? Path.Combine(Folder, ReportWriter.JUnitFileName) : null);

    /// <summary>Checks what can be checked before anything is computed or written, so that a typo in a path fails
    /// at once and not after an audit of several minutes.</summary>
    public void Validate()
    {
        if (File.Exists(Folder))
            throw InvalidInputException.For(Folder, "--out", "is a file; expected a folder (created if missing)");
        if (TemplatePath is not null)
        {
            if (!Formats.HasFlag(ReportFormats.Markdown))
                throw InvalidInputException.For(TemplatePath, "--template", "applies to the Markdown report, which is not selected (add md to the formats)");
            if (!File.Exists(TemplatePath))
                throw InvalidInputException.For(TemplatePath, "--template", "template file not found");
        }
        if (JUnitDestination is { } junit && Directory.Exists(junit))
            throw InvalidInputException.For(junit, "--junit", "is a folder; expected the path of the XML file to write");
    }
}

/// <summary>Renders the reports of a results file: the one code path behind <c>run</c>'s reports and
/// <c>saeaudit report</c>, so both write the same bytes for the same results file.</summary>
internal static class ReportWriter
{
    public const string PdfFileName = "report.pdf";
    public const string JUnitFileName = "junit.xml";

    /// <summary>Writes the requested reports and returns their paths (report.md stands for its charts too). Each
    /// file is written whole or not at all.</summary>
    public static IReadOnlyList<string> Write(AuditResults results, ReportRequest request)
    {
        var written = new List<string>();
        if (request.Formats.HasFlag(ReportFormats.Markdown))
        {
            MarkdownReport.Write(results, request.Folder, new MarkdownOptions { TemplatePath = request.TemplatePath });
            written.Add(Path.Combine(request.Folder, MarkdownReport.FileName));
        }
        if (request.Formats.HasFlag(ReportFormats.Pdf))
        {
            var pdf = Path.Combine(request.Folder, PdfFileName);
            PdfReport.Write(results, pdf);
            written.Add(pdf);
        }
        if (request.JUnitDestination is { } junit)
        {
            JUnitReport.Write(results, junit);
            written.Add(junit);
        }
        return written;
    }
}
