using PdfSharp.Drawing;
using PdfSharp.Pdf;
using static SaeAudit.Reporting.Pdf.PdfTheme;

namespace SaeAudit.Reporting.Pdf;

/// <summary>The layout engine: A4 pages with margins and a cursor that flows blocks down the page and starts a new
/// page when a block does not fit. Every page's graphics stay open until <see cref="Finish"/>, so the header, the
/// "page N of M" footer and anything registered with <see cref="AfterLayout"/> (the contents' page numbers) are drawn
/// once the page count is known: one layout pass, deferred decoration.</summary>
internal sealed class PageFlow : IDisposable
{
    private readonly PdfDocument _document;
    private readonly string _headerTitle;
    private readonly string _footerText;
    private readonly List<FlowPage> _pages = [];
    private readonly List<Action> _deferred = [];
    private PdfOutline? _partBookmark;

    public PageFlow(PdfDocument document, string headerTitle, string footerText)
    {
        _document = document;
        _headerTitle = headerTitle;
        _footerText = footerText;
    }

    public XGraphics Graphics => Current.Graphics;

    public PdfPage Page => Current.Page;

    /// <summary>1-based number of the page being filled.</summary>
    public int PageNumber => _pages.Count;

    /// <summary>Top of the free space on the current page.</summary>
    public double Y { get; private set; }

    public double Left => MarginLeft;

    public double Width => PageWidth - MarginLeft - MarginRight;

    public double Right => Left + Width;

    public double Bottom => PageHeight - MarginBottom;

    public double Remaining => Bottom - Y;

    /// <summary>The height a page offers to content.</summary>
    public double BodyHeight => Bottom - MarginTop;

    public bool AtPageTop => Y <= MarginTop + 0.01;

    /// <summary>The right-hand header text of pages started from now on (e.g. the pair being reported).</summary>
    public string RunningHead { get; set; } = "";

    private FlowPage Current => _pages.Count > 0 ? _pages[^1] : throw new InvalidOperationException("no page yet");

    /// <summary>Starts a page; <paramref name="decorated"/> false leaves out the header (the title page).</summary>
    public void NewPage(bool decorated = true)
    {
        var page = _document.AddPage();
        page.Width = XUnit.FromPoint(PageWidth);
        page.Height = XUnit.FromPoint(PageHeight);
        _pages.Add(new FlowPage(page, XGraphics.FromPdfPage(page), decorated ? RunningHead : null));
        Y = MarginTop;
    }

    /// <summary>Moves to a new page unless <paramref name="height"/> fits below the cursor. A block taller than a
    /// whole page starts at the top of one and is the caller's to split.</summary>
    public void EnsureSpace(double height)
    {
        if (height > Remaining && !AtPageTop) NewPage();
    }

    public void Advance(double height) => Y += height;

    /// <summary>Vertical space between blocks; dropped at the top of a page, where it would only misalign
    /// pages.</summary>
    public void Space(double height)
    {
        if (!AtPageTop) Y = Math.Min(Y + height, Bottom);
    }

    /// <summary>Runs <paramref name="draw"/> once layout is done (every page exists), before the pages close.</summary>
    public void AfterLayout(Action draw) => _deferred.Add(draw);

    /// <summary>A bookmark in the viewer's outline at the cursor: level 1 for a part of the report, level 2 nested
    /// under the last part.</summary>
    public void Bookmark(string title, int level)
    {
        if (level <= 1 || _partBookmark is null)
            _partBookmark = _document.Outlines.Add(title, Page, opened: true);
        else
            _partBookmark.Outlines.Add(title, Page, opened: false);
    }

    /// <summary>Draws every page's header and footer and the deferred content, then closes the pages' graphics.</summary>
    public void Finish()
    {
        var count = _pages.Count;
        for (var i = 0; i < count; i++) DrawDecoration(_pages[i], i + 1, count);
        foreach (var draw in _deferred) draw();
        Dispose();
    }

    public void Dispose()
    {
        foreach (var page in _pages) page.Graphics.Dispose();
        _pages.Clear();
    }

    private void DrawDecoration(FlowPage page, int number, int count)
    {
        var g = page.Graphics;
        var muted = new XSolidBrush(Muted);
        if (page.RunningHead is { } head)
        {
            g.DrawString(_headerTitle, SmallBold, new XSolidBrush(Text), Left, HeaderBaseline);
            var room = Width - TextWrap.Width(g, _headerTitle, SmallBold) - 24;
            DrawRight(g, TextWrap.Ellipsize(g, head, Small, room), Small, muted, Right, HeaderBaseline);
            g.DrawLine(new XPen(Rule, 0.5), Left, HeaderBaseline + 6, Right, HeaderBaseline + 6);
        }
        g.DrawLine(new XPen(HairRule, 0.5), Left, FooterBaseline - 11, Right, FooterBaseline - 11);
        g.DrawString(_footerText, Small, muted, Left, FooterBaseline);
        DrawRight(g, $"Page {number} of {count}", Small, muted, Right, FooterBaseline);
    }

    /// <summary>Text ending at <paramref name="right"/> on the baseline <paramref name="baseline"/>.</summary>
    public static void DrawRight(XGraphics g, string text, XFont font, XBrush brush, double right, double baseline) =>
        g.DrawString(text, font, brush, right - TextWrap.Width(g, text, font), baseline);

    private sealed record FlowPage(PdfPage Page, XGraphics Graphics, string? RunningHead);
}
