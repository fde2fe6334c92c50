using System.Text;
using System.Text.RegularExpressions;
using PdfSharp.Pdf.IO;
using SaeAudit.Evaluation.Results;
using SaeAudit.Reporting.Model;
using SaeAudit.Reporting.Pdf;
using SaeAudit.Reporting.Tests.Model;
using SaeAudit.Reporting.Tests.Snapshots;

namespace SaeAudit.Reporting.Tests.Pdf;

public sealed class PdfReportTests : IDisposable
{
    private const string VerifiedFolder = "tests/SaeAudit.Reporting.Tests/Pdf/Verified";

    private static readonly Lazy<byte[]> Demo = new(() => PdfReport.Render(DemoResults.Load()));

    private readonly string _scratch = Directory.CreateTempSubdirectory("saeaudit-pdf-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public void The_same_results_give_the_same_bytes()
    {
        // Each render reads the file afresh and builds a new document: nothing may come from the clock, a GUID or
        // state left over from an earlier render.
        var first = PdfReport.Render(DemoResults.Load());
        Thread.Sleep(1100); // PDF dates have one-second resolution
        var second = PdfReport.Render(DemoResults.Load());

        second.Should().Equal(first);
        first.Should().Equal(Demo.Value);
    }

    [Fact]
    public void Dates_and_ids_come_from_the_results()
    {
        var text = Encoding.Latin1.GetString(Demo.Value);

        // provenance.run.started_utc is 2026-11-23T11:58:31Z.
        text.Should().Contain("/CreationDate(D:20261123115831+00'00')").And.Contain("/ModDate(D:20261123115831+00'00')");
        text.Should().Contain("<xmp:CreateDate>2026-11-23T11:58:31Z</xmp:CreateDate>");

        var changed = Encoding.Latin1.GetString(PdfReport.Render(DemoResults.WithLightCeScore(0.5)));
        TrailerId(changed).Should().NotBe(TrailerId(text), "the /ID is derived from the results");
        XmpIds(changed).Should().NotEqual(XmpIds(text));
        SubsetTags(changed).Should().NotEqual(SubsetTags(text));
    }

    [Fact]
    public void The_document_opens_with_its_outline_and_metadata()
    {
        using var stream = new MemoryStream(Demo.Value);
        using var document = PdfReader.Open(stream, PdfDocumentOpenMode.Import);

        document.Info.Title.Should().Be("SAE transfer audit: FAIL");
        document.Info.Author.Should().Be("saeaudit 0.1.0");
        document.Outlines.Select(o => o.Title).Should().Equal(
            "1 Verdict and gates", "2 Pair light: base → ft-light", "3 Pair code: base → ft-heavy", "A Provenance");
        document.Outlines[1].Outlines.Select(o => o.Title).Should().Equal(
            "2.1 Headline metrics", "2.2 Activation similarity", "2.3 Feature densities", "2.4 Feature transfer test",
            "2.5 Weight difference");
    }

    [Fact]
    public void The_text_holds_the_verdict_pairs_gates_tables_charts_and_page_numbers()
    {
        var text = Flatten(Poppler.Text(WriteDemo()));
        var model = ReportModel.From(DemoResults.Load());

        text.Should().Contain("OVERALL VERDICT FAIL").And.Contain("1 of 2 pairs fails its gates: code (2 of 3 gates failed).");
        text.Should().Contain("2 Pair light: base → ft-light PASS").And.Contain("3 Pair code: base → ft-heavy FAIL");
        foreach (var gate in model.Gates)
            text.Should().Contain($"{gate.Pair} {gate.Metric} {gate.Bound} {gate.Value} {gate.Status}");
        foreach (var header in new[] { "metric base finetune (ft-light)", "similarity features undefined mean median ≥ 0.8",
                     "layer relative change", "file SHA-256", "parameter value", "pair metric bound value result" })
            text.Should().Contain(header);
        foreach (var label in new[] { "cos(x_base, x_finetune)", "|x_base - x_finetune|", "position (0 = BOS)",
                     "log10 feature density", "log10 feature activation", "Pearson r, base vs finetune",
                     "mean |log10 f_base - log10 f_finetune|", "|W_finetune - W_base|_F / |W_base|_F" })
            text.Should().Contain(label);
        foreach (var hash in DemoResults.Load().Provenance.Pairs.SelectMany(p => p.InputsSha256.Values))
            text.Should().Contain(hash);

        var pages = PageCount(Demo.Value);
        for (var page = 1; page <= pages; page++) text.Should().Contain($"Page {page} of {pages}");
    }

    [Fact]
    public void The_text_matches_its_snapshot()
    {
        // Trailing blanks depend on how poppler pads its layout, not on the PDF.
        var lines = Poppler.Text(WriteDemo()).Split('\n').Select(line => line.TrimEnd());
        Snapshot.Match(string.Join("\n", lines), VerifiedFolder, "demo-report-text");
    }

    [Fact]
    public void Every_page_renders()
    {
        var pages = Poppler.RenderPages(WriteDemo(), _scratch, dpi: 60);

        pages.Should().HaveCount(PageCount(Demo.Value));
        pages.Should().AllSatisfy(png => new FileInfo(png).Length.Should().BeGreaterThan(1000));
    }

    [Fact]
    public void No_text_overlaps_other_text_or_leaves_the_margins() => AssertLaidOutCleanly(WriteDemo());

    [Fact]
    public void Many_pairs_and_a_very_long_pair_name_stay_laid_out_cleanly()
    {
        var demo = DemoResults.Load();
        string Name(int i) => i == 0 ? "code-finetune-with-an-extremely-long-descriptive-name/experimental-v2" : $"pair-{i}";
        var results = demo with
        {
            Pairs = Enumerable.Range(0, 5).Select(i => demo.Pairs[i % 2] with { Name = Name(i) }).ToList(),
            Provenance = demo.Provenance with
            {
                Pairs = Enumerable.Range(0, 5).Select(i => demo.Provenance.Pairs[i % 2] with { Name = Name(i) }).ToList(),
            },
        };
        var path = Path.Combine(_scratch, "many-pairs.pdf");
        PdfReport.Write(results, path);

        AssertLaidOutCleanly(path);
        Flatten(Poppler.Text(path)).Should().Contain("Pair code-finetune-with-an-extremely-long-descriptive-name/");
    }

    [Fact]
    public void A_report_without_gates_and_with_empty_tables_still_renders()
    {
        var demo = DemoResults.Load();
        var results = demo with
        {
            Passed = true,
            Pairs = demo.Pairs.Select(p => p with
            {
                Gates = [],
                Weights = p.Weights with { Tensors = new Dictionary<string, double>(), Layers = new Dictionary<string, double>() },
            }).ToList(),
        };
        var path = Path.Combine(_scratch, "no-gates.pdf");
        PdfReport.Write(results, path);

        var text = Flatten(Poppler.Text(path));
        text.Should().Contain("OVERALL VERDICT PASS").And.Contain("No gates are configured");
        text.Should().Contain("layer relative change none");
        Poppler.RenderPages(path, _scratch, dpi: 30).Should().HaveCount(PageCount(File.ReadAllBytes(path)));
    }

    [Fact]
    public void Write_replaces_the_file_in_one_step()
    {
        var path = Path.Combine(_scratch, "reports", "audit.pdf");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "an older report");

        PdfReport.Write(DemoResults.Load(), path);

        File.ReadAllBytes(path).Should().Equal(Demo.Value);
        Directory.GetFiles(Path.GetDirectoryName(path)!).Should().ContainSingle("the temporary file is moved, not left behind");
    }

    /// <summary>Every word of every page inside the margins (header and footer included) and clear of every other
    /// word: nothing clipped, nothing overprinted, tables and charts alike.</summary>
    private static void AssertLaidOutCleanly(string pdf)
    {
        var pages = Poppler.Words(pdf);
        pages.Should().HaveCount(PageCount(File.ReadAllBytes(pdf)));
        for (var p = 0; p < pages.Count; p++)
        {
            var words = pages[p];
            words.Should().NotBeEmpty();
            foreach (var word in words)
            {
                word.XMin.Should().BeGreaterThanOrEqualTo(56, $"'{word.Text}' on page {p + 1} starts inside the margin");
                word.XMax.Should().BeLessThanOrEqualTo(595.28 - 56, $"'{word.Text}' on page {p + 1} ends inside the margin");
                word.YMin.Should().BeGreaterThanOrEqualTo(28, $"'{word.Text}' on page {p + 1} is above the header");
                word.YMax.Should().BeLessThanOrEqualTo(841.89 - 28, $"'{word.Text}' on page {p + 1} is below the footer");
            }
            for (var i = 0; i < words.Count; i++)
            for (var j = i + 1; j < words.Count; j++)
                words[i].Overlaps(words[j], tolerance: 0.5).Should().BeFalse(
                    $"'{words[i].Text}' and '{words[j].Text}' overlap on page {p + 1}");
        }
    }

    private string WriteDemo()
    {
        var path = Path.Combine(_scratch, "demo.pdf");
        File.WriteAllBytes(path, Demo.Value);
        return path;
    }

    private static int PageCount(byte[] pdf)
    {
        using var stream = new MemoryStream(pdf);
        using var document = PdfReader.Open(stream, PdfDocumentOpenMode.Import);
        return document.PageCount;
    }

    /// <summary>Words joined by single spaces, so checks do not depend on line breaks or column padding.</summary>
    private static string Flatten(string text) =>
        string.Join(" ", text.Split([' ', '\n', '\r', '\f'], StringSplitOptions.RemoveEmptyEntries));

    private static string TrailerId(string pdf) => Regex.Match(pdf, @"/ID\[<([0-9A-F]+)>").Groups[1].Value;

    private static string[] XmpIds(string pdf) =>
        Regex.Matches(pdf, "uuid:([0-9a-f-]{36})").Select(m => m.Groups[1].Value).ToArray();

    private static string[] SubsetTags(string pdf) =>
        Regex.Matches(pdf, "/BaseFont/([A-Z]{6})\\+").Select(m => m.Groups[1].Value).Distinct().ToArray();
}
