using PdfSharp.Fonts;
using SaeAudit.Reporting.Fonts;

namespace SaeAudit.Reporting.Tests.Charts;

public sealed class FontTests
{
    [Theory]
    [InlineData("DejaVu Sans", false, "DejaVuSans")]
    [InlineData("DejaVu Sans", true, "DejaVuSans-Bold")]
    [InlineData("dejavu sans mono", false, "DejaVuSansMono")]
    [InlineData("Arial", false, "DejaVuSans")]
    public void Families_resolve_to_the_embedded_faces(string family, bool bold, string face)
    {
        var resolver = new DejaVuFontResolver();

        var info = resolver.ResolveTypeface(family, bold, false);

        info.FaceName.Should().Be(face);
        resolver.GetFont(info.FaceName)![..4].Should().Equal(0, 1, 0, 0); // TrueType outline signature
    }

    [Fact]
    public void Installing_is_idempotent_and_thread_safe()
    {
        Parallel.For(0, 8, _ => PdfFonts.EnsureInstalled());
        PdfFonts.EnsureInstalled();

        GlobalFontSettings.FontResolver.Should().BeOfType<DejaVuFontResolver>();
    }

    [Fact]
    public void Text_is_measured_with_dejavu_advance_widths()
    {
        // DejaVu Sans: digits advance 1303 and 'W' 2025 of 2048 units per em; bold is wider.
        TextMetrics.Regular.Width("0123456789", 10).Should().BeApproximately(10 * 10 * 1303 / 2048.0, 1e-9);
        TextMetrics.Regular.Width("W", 2048).Should().Be(2025);
        TextMetrics.Bold.Width("W", 10).Should().BeGreaterThan(TextMetrics.Regular.Width("W", 10));
        TextMetrics.Regular.Width("", 10).Should().Be(0);
    }
}
