using PdfSharp.Drawing;
using PdfSharp.Pdf;
using SaeAudit.Reporting.Charts;
using SaeAudit.Reporting.Fonts;
using SaeAudit.Reporting.Model;
using SaeAudit.Reporting.Pdf;
using SaeAudit.Reporting.Tests.Model;

namespace SaeAudit.Reporting.Tests.Pdf;

/// <summary>The layout engine on its own: wrapping, page breaks, repeated table headers, figures that move, and the
/// deferred "page N of M".</summary>
public sealed class PageLayoutTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("saeaudit-layout-").FullName;
    private readonly PdfDocument _document;
    private readonly PageFlow _flow;

    public PageLayoutTests()
    {
        PdfFonts.EnsureInstalled(); // PDFsharp checks its licence when a document is created
        _document = new PdfDocument();
        _flow = new PageFlow(_document, "Layout test", "footer text");
        _flow.NewPage();
    }

    public void Dispose()
    {
        _flow.Dispose();
        _document.Dispose();
        Directory.Delete(_scratch, recursive: true);
    }

    [Fact]
    public void Wrapped_lines_fit_and_keep_every_word()
    {
        const string text = "The SAE applied at blocks.2.hook_resid_pre in each model: reconstruction quality, and the "
            + "next-token loss (nats) when its reconstruction replaces the activation.";
        var lines = TextWrap.Lines(_flow.Graphics, text, PdfTheme.Body, 150);

        lines.Count.Should().BeGreaterThan(3);
        lines.Should().AllSatisfy(line => TextWrap.Width(_flow.Graphics, line, PdfTheme.Body).Should().BeLessThanOrEqualTo(150));
        string.Join(" ", lines).Should().Be(text);
    }

    [Fact]
    public void A_word_wider_than_the_line_breaks_after_a_path_separator_or_between_characters()
    {
        var g = _flow.Graphics;
        var path = TextWrap.Lines(g, "/work/main/samples/gpt2-tiny/saes/sae-relu/sae_weights.safetensors", PdfTheme.Code, 120);
        path.Should().HaveCountGreaterThan(1);
        path.SkipLast(1).Should().AllSatisfy(line => line.Should().EndWith("/"));
        string.Concat(path).Should().Be("/work/main/samples/gpt2-tiny/saes/sae-relu/sae_weights.safetensors");

        var hash = new string('a', 64);
        var pieces = TextWrap.Lines(g, hash, PdfTheme.Code, 100);
        pieces.Should().HaveCountGreaterThan(2);
        pieces.Should().AllSatisfy(piece => TextWrap.Width(g, piece, PdfTheme.Code).Should().BeLessThanOrEqualTo(100));
        string.Concat(pieces).Should().Be(hash);
    }

    [Fact]
    public void A_long_table_continues_on_later_pages_under_its_repeated_header()
    {
        var table = new ReportTable([ReportColumn.Text("name"), ReportColumn.Number("value")],
            Enumerable.Range(1, 150).Select(i => (IReadOnlyList<string>)[$"row {i}", $"{i * 0.5}"]).ToList());

        TableBlock.Draw(_flow, table, "Long table");

        var pages = Pages(Render());
        pages.Length.Should().BeGreaterThan(2);
        pages[0].Should().Contain("Long table").And.Contain("row 1 ");
        foreach (var page in pages.Skip(1))
            page.Should().Contain("Long table (continued)").And.MatchRegex(@"name\s+value");
        string.Concat(pages).Should().Contain("row 150");
    }

    [Fact]
    public void A_short_table_moves_whole_rather_than_split()
    {
        _flow.Advance(_flow.Remaining - 60);
        var table = new ReportTable([ReportColumn.Text("name"), ReportColumn.Number("value")],
            Enumerable.Range(1, 8).Select(i => (IReadOnlyList<string>)[$"row {i}", $"{i}"]).ToList());

        TableBlock.Draw(_flow, table);

        _flow.PageNumber.Should().Be(2);
    }

    [Fact]
    public void A_figure_that_does_not_fit_moves_to_the_next_page()
    {
        var chart = ReportCharts.For(DemoResults.Load().Pairs[0])[0];
        _flow.Advance(_flow.Remaining - FigureBlock.Height(_flow, chart) + 1);

        FigureBlock.Draw(_flow, chart);

        _flow.PageNumber.Should().Be(2);
        Pages(Render())[1].Should().Contain(chart.Title);
    }

    [Fact]
    public void A_heading_does_not_end_a_page()
    {
        _flow.Advance(_flow.Remaining - 40);

        TextBlocks.Heading(_flow, "4.2", "Section title", 2);

        _flow.PageNumber.Should().Be(2);
        Pages(Render())[1].Should().Contain("4.2 Section title");
    }

    [Fact]
    public void Every_page_gets_its_header_and_page_n_of_m()
    {
        _flow.RunningHead = "running head";
        _flow.NewPage();
        _flow.NewPage();

        var pages = Pages(Render());

        pages.Should().HaveCount(3);
        for (var i = 0; i < 3; i++) pages[i].Should().Contain($"Page {i + 1} of 3").And.Contain("footer text");
        pages[0].Should().NotContain("running head");
        pages[2].Should().Contain("Layout test").And.Contain("running head");
    }

    private string Render()
    {
        _flow.Finish();
        var path = Path.Combine(_scratch, "layout.pdf");
        _document.Save(path);
        return path;
    }

    private static string[] Pages(string pdf) => Poppler.Text(pdf).Split('\f').SkipLast(1).ToArray();
}
