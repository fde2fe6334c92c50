using System.Security.Cryptography;
using System.Text;
using PdfSharp.Pdf;
using SaeAudit.Evaluation.Results;
using SaeAudit.Reporting.Fonts;
using SaeAudit.Reporting.Model;

namespace SaeAudit.Reporting.Pdf;

/// <summary>The PDF report: the same content as the Markdown report (both render <see cref="ReportModel"/>) set
/// for print and review, with vector charts, fonts embedded and a provenance appendix. The same results give the
/// same bytes: nothing in the file comes from the clock or a random source.</summary>
public static class PdfReport
{
    public static byte[] Render(AuditResults results)
    {
        PdfFonts.EnsureInstalled();
        var model = ReportModel.From(results);
        // Every id the file needs is derived from the results, so identical results give identical files.
        var seed = SHA256.HashData(Encoding.UTF8.GetBytes(ResultsJson.Serialize(results)));

        using var document = new PdfDocument();
        var tool = $"{results.Tool.Name} {results.Tool.Version}";
        document.Info.Title = $"{model.Title}: {model.Verdict.Status}";
        document.Info.Subject = model.Verdict.Summary;
        document.Info.Author = tool;
        document.Info.Creator = tool;
        document.Info.Keywords = string.Join(", ", ["sparse autoencoder", "SAE transfer", .. model.Pairs.Select(p => p.Name)]);
        document.Language = "en";
        document.PageMode = PdfPageMode.UseOutlines;

        PdfReportComposer.Compose(document, model);
        DeterministicPdf.Prepare(document, seed, DeterministicPdf.Timestamp(results.Provenance.Run.StartedUtc));
        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        return DeterministicPdf.FixMetadataIds(stream.ToArray(), seed);
    }

    /// <summary>Renders to <paramref name="path"/> through a temporary file in the same folder, moved into place,
    /// so a reader never sees half a PDF.</summary>
    public static void Write(AuditResults results, string path)
    {
        var bytes = Render(results);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
