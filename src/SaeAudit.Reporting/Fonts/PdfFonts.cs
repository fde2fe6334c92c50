using PdfSharp;
using PdfSharp.Fonts;

namespace SaeAudit.Reporting.Fonts;

/// <summary>Process-wide PDFsharp setup. PDFsharp keeps its font resolver and licence in static state that may be set
/// only once, before the first font is used, so every PDF code path calls <see cref="EnsureInstalled"/> first.</summary>
public static class PdfFonts
{
    /// <summary>Family names to use in <c>XFont</c>.</summary>
    public const string Sans = "DejaVu Sans";

    public const string Mono = "DejaVu Sans Mono";

    private static readonly Lock Gate = new();
    private static bool _installed;

    /// <summary>Sets the AGPL licence and <see cref="DejaVuFontResolver"/> as PDFsharp's font resolver; later calls
    /// do nothing. Thread-safe.</summary>
    public static void EnsureInstalled()
    {
        lock (Gate)
        {
            if (_installed) return;
            PdfSharpLicense.SetAgplLicense();
            if (GlobalFontSettings.FontResolver is not DejaVuFontResolver)
                GlobalFontSettings.FontResolver = new DejaVuFontResolver();
            _installed = true;
        }
    }
}
