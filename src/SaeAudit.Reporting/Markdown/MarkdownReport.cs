using System.Text;
using SaeAudit.Evaluation.Results;
using SaeAudit.Reporting.Charts;
using SaeAudit.Reporting.Model;

namespace SaeAudit.Reporting.Markdown;

/// <summary>Options of the Markdown report. <see cref="TemplatePath"/>: a user's Handlebars template instead of the
/// default (its partials from a <c>partials/</c> folder beside it); the template is rendered with the
/// <see cref="ReportModel"/> as its context.</summary>
public sealed record MarkdownOptions
{
    public string? TemplatePath { get; init; }
}

/// <summary>The Markdown report: verdict and gates, one part per pair, provenance; charts as SVG files beside it
/// (<c>charts/&lt;chart-id&gt;.svg</c>, referenced by relative path).</summary>
public static class MarkdownReport
{
    public const string FileName = "report.md";
    public const string ChartsFolder = "charts";

    /// <summary>The Markdown and the files it references, by path relative to the Markdown's folder.</summary>
    public static (string Markdown, IReadOnlyList<(string RelativePath, string Content)> Files) Render(
        AuditResults results, MarkdownOptions? options = null)
    {
        var model = ReportModel.From(results);
        var template = MarkdownTemplates.Compile(MarkdownTemplates.Report, options?.TemplatePath);
        var markdown = MarkdownText.Tidy(template(model));
        return (markdown, ChartFiles(model));
    }

    /// <summary>A short report for a CI job summary (<c>$GITHUB_STEP_SUMMARY</c>): verdict, gate table, each pair's
    /// verdict and headline table; no charts, since a job summary cannot show files beside it.</summary>
    public static string Summary(AuditResults results)
    {
        var template = MarkdownTemplates.Compile(MarkdownTemplates.Summary, userTemplate: null);
        return MarkdownText.Tidy(template(ReportModel.From(results)));
    }

    /// <summary>Renders and writes <c>report.md</c> and its charts into <paramref name="outDir"/>; returns the
    /// report's path. Everything is written into a temporary folder beside <paramref name="outDir"/> first, so a
    /// failure leaves nothing half-written: a new folder appears whole; into an existing folder the charts are moved
    /// first and the report last, so the report never references a chart that is not there. Other files in
    /// <paramref name="outDir"/> are kept.</summary>
    public static string Write(AuditResults results, string outDir, MarkdownOptions? options = null)
    {
        var (markdown, files) = Render(results, options);
        var target = Path.GetFullPath(outDir);
        var parent = Path.GetDirectoryName(target) ?? throw new ArgumentException($"{outDir}: not a folder path");
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            IEnumerable<(string RelativePath, string Content)> all = [.. files, (FileName, markdown)];
            foreach (var (relativePath, content) in all)
            {
                var path = Path.Combine(staging, relativePath);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, content, new UTF8Encoding(false));
            }
            if (!Directory.Exists(target))
            {
                Directory.Move(staging, target);
            }
            else
            {
                foreach (var (relativePath, _) in all)
                {
                    var destination = Path.Combine(target, relativePath);
                    Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                    File.Move(Path.Combine(staging, relativePath), destination, overwrite: true);
                }
            }
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        return Path.Combine(target, FileName);
    }

    /// <summary>One SVG per chart the report shows. Chart ids embed the pair's slug; two pair names with the same
    /// slug ("a b", "a-b") would overwrite each other's charts, so that is refused rather than rendered wrong.</summary>
    private static IReadOnlyList<(string RelativePath, string Content)> ChartFiles(ReportModel model)
    {
        var charts = model.Pairs.SelectMany(p => p.Sections).SelectMany(s => s.Charts).ToList();
        var clash = charts.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new InvalidOperationException(
                $"two charts have the id '{clash.Key}': pair names must differ in their letters and digits");
        return charts.Select(c => ($"{ChartsFolder}/{c.Id}.svg", SvgChartRenderer.Render(c))).ToList();
    }
}
