using PdfSharp.Fonts;

namespace SaeAudit.Reporting.Fonts;

/// <summary>Serves the embedded DejaVu fonts to PDFsharp: "DejaVu Sans" (regular, bold) and "DejaVu Sans Mono"
/// (bold simulated). Italic is simulated. Any other family resolves to DejaVu Sans, so a PDF never depends on the
/// fonts installed where it is rendered. Install it with <see cref="PdfFonts.EnsureInstalled"/>.</summary>
public sealed class DejaVuFontResolver : IFontResolver
{
    private const string SansFace = "DejaVuSans";
    private const string SansBoldFace = "DejaVuSans-Bold";
    private const string MonoFace = "DejaVuSansMono";

    public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic)
    {
        if (string.Equals(familyName, PdfFonts.Mono, StringComparison.OrdinalIgnoreCase))
            return new FontResolverInfo(MonoFace, mustSimulateBold: bold, mustSimulateItalic: italic);
        return bold
            ? new FontResolverInfo(SansBoldFace, mustSimulateBold: false, mustSimulateItalic: italic)
            : new FontResolverInfo(SansFace, mustSimulateBold: false, mustSimulateItalic: italic);
    }

    public byte[]? GetFont(string faceName) => faceName switch
    {
        SansFace => FontFiles.Read(FontFiles.Sans),
        SansBoldFace => FontFiles.Read(FontFiles.SansBold),
        MonoFace => FontFiles.Read(FontFiles.Mono),
        _ => null,
    };
}
