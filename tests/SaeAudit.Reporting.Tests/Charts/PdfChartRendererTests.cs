using System.Diagnostics;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using SaeAudit.Reporting.Charts;
using SaeAudit.Reporting.Fonts;
using Xunit.Abstractions;

namespace SaeAudit.Reporting.Tests.Charts;

public sealed class PdfChartRendererTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("saeaudit-pdf-charts-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Every_demo_chart_draws_into_a_valid_pdf_with_its_text()
    {
        var charts = DemoResults.All.Pairs.SelectMany(ReportCharts.For).ToArray();
        var path = Path.Combine(_folder, "charts.pdf");
        PdfFonts.EnsureInstalled();
        using (var document = new PdfDocument())
        {
            // Two charts per A4 page, as a report would place them.
            foreach (var pageCharts in charts.Chunk(2))
            {
                var page = document.AddPage();
                page.Width = XUnit.FromPoint(595);
                page.Height = XUnit.FromPoint(842);
                using var gfx = XGraphics.FromPdfPage(page);
                var top = 40.0;
                foreach (var chart in pageCharts)
                {
                    var height = PdfChartRenderer.HeightFor(chart, 515);
                    PdfChartRenderer.Draw(gfx, new XRect(40, top, 515, height), chart);
                    top += height + 20;
                }
            }
            document.Save(path);
        }

        var bytes = File.ReadAllBytes(path);
        System.Text.Encoding.ASCII.GetString(bytes, 0, 5).Should().Be("%PDF-");
        System.Text.Encoding.ASCII.GetString(bytes[^8..]).Should().Contain("%%EOF");

        var text = PdfToText(path);
        if (text is null)
        {
            output.WriteLine("pdftotext (poppler-utils) not installed: text of the PDF not checked");
            return;
        }
        var flattened = string.Join(" ", text.Split((char[])[' ', '\n', '\r', '\f'], StringSplitOptions.RemoveEmptyEntries));
        foreach (var label in new[] { "log10 feature density", "position (0 = BOS)", "Pearson r, base vs finetune",
                     "cos(x_base, x_finetune)", "Weight change per layer group", "unembedding", "finetune" })
            flattened.Should().Contain(label);
    }

    [Fact]
    public void Charts_keep_their_aspect_ratio_in_any_area()
    {
        var bars = ReportCharts.For(DemoResults.Pair("code")).OfType<BarChart>().Single();
        var layout = ChartLayout.For(bars);

        PdfChartRenderer.HeightFor(bars, 320).Should().BeApproximately(320 * layout.Height / layout.Width, 1e-9);
    }

    /// <summary>The PDF's text via poppler's pdftotext, or null where it is not installed.</summary>
    private static string? PdfToText(string pdf)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pdftotext", ["-layout", pdf, "-"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var text = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            process.ExitCode.Should().Be(0, process.StandardError.ReadToEnd());
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
