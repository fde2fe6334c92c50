using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PdfSharp.Pdf;

namespace SaeAudit.Reporting.Pdf;

/// <summary>Makes PDFsharp's output a function of the results alone. PDFsharp 6.5 otherwise writes five things
/// that change from run to run: the creation and modification dates (the clock), the trailer /ID (a new GUID per
/// document), the six-letter tag of every embedded font subset (from Guid.NewGuid()), a link annotation's name and
/// date (a GUID and the clock), and the XMP DocumentID and InstanceID (new GUIDs at save, with no option to set
/// them). The first four are set on the document before it is saved; the XMP ids, which exist only in the saved bytes, are overwritten there in place with ids of the same
/// length, so no byte offset in the file moves. Everything replaced is derived from <c>seed</c>, a hash of the
/// results file.</summary>
internal static class DeterministicPdf
{
    private static readonly string[] XmpIdElements = ["<xmpMM:DocumentID>uuid:", "<xmpMM:InstanceID>uuid:"];

    /// <summary>The run's start (<c>provenance.run.started_utc</c>) as the document's date; the Unix epoch if the
    /// file holds no readable time, so the output stays deterministic.</summary>
    public static DateTime Timestamp(string startedUtc) =>
        DateTime.TryParse(startedUtc, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : DateTime.UnixEpoch;

    /// <summary>Sets the dates, the trailer /ID and the font subset tags. Call after drawing, before saving.</summary>
    public static void Prepare(PdfDocument document, byte[] seed, DateTime timestamp)
    {
        document.Info.CreationDate = timestamp;
        document.Info.ModificationDate = timestamp;
        // The /ID strings are 16 raw bytes; PDFsharp takes them as a string of chars 0-255.
        var id = new string(Derive(seed, "trailer-id").Take(16).Select(b => (char)b).ToArray());
        document.Internals.FirstDocumentID = id;
        document.Internals.SecondDocumentID = id;
        RetagFontSubsets(document, seed);
        foreach (var page in document.Pages)
        {
            foreach (var annotation in page.Annotations.OfType<PdfDictionary>())
            {
                // Optional entries that PDFsharp fills with a new GUID (/NM) and the clock (/M).
                annotation.Elements.Remove("/NM");
                annotation.Elements.Remove("/M");
            }
        }
    }

    /// <summary>Replaces the XMP ids in the saved bytes with UUID-formatted ids derived from the seed.</summary>
    public static byte[] FixMetadataIds(byte[] pdf, byte[] seed)
    {
        var text = Encoding.Latin1.GetString(pdf); // one char per byte: string indices are byte offsets
        foreach (var element in XmpIdElements)
        {
            var uuid = DerivedUuid(seed, element);
            for (var at = text.IndexOf(element, StringComparison.Ordinal); at >= 0;
                 at = text.IndexOf(element, at + 1, StringComparison.Ordinal))
            {
                var start = at + element.Length;
                if (start + uuid.Length <= text.Length && Guid.TryParseExact(text.AsSpan(start, uuid.Length), "D", out _))
                    Encoding.ASCII.GetBytes(uuid, 0, uuid.Length, pdf, start);
            }
        }
        return pdf;
    }

    /// <summary>Gives every subset font a tag derived from the seed and its base name instead of PDFsharp's random
    /// one (PDF 32000-1 §9.6.4 asks only that different subsets get different tags). Fonts are visited in object
    /// number order, which follows the deterministic drawing order.</summary>
    private static void RetagFontSubsets(PdfDocument document, byte[] seed)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        var dictionaries = document.Internals.GetAllObjects()
            .OfType<PdfDictionary>()
            .OrderBy(PdfSharp.Pdf.Advanced.PdfInternals.GetObjectNumber);
        foreach (var dictionary in dictionaries)
        {
            foreach (var key in (string[])["/BaseFont", "/FontName"])
            {
                var name = dictionary.Elements.GetName(key);
                if (!IsSubsetName(name)) continue;
                var tag = name[1..7];
                if (!tags.TryGetValue(tag, out var fixedTag))
                    tags[tag] = fixedTag = SubsetTag(seed, name[8..], tags.Count);
                dictionary.Elements.SetName(key, "/" + fixedTag + name[7..]);
            }
        }
    }

    /// <summary>"/ABCDEF+Name": a slash, six capitals, a plus.</summary>
    private static bool IsSubsetName(string name) =>
        name.Length > 8 && name[0] == '/' && name[7] == '+' && name.AsSpan(1, 6).IndexOfAnyExceptInRange('A', 'Z') < 0;

    private static string SubsetTag(byte[] seed, string baseName, int ordinal) =>
        new(Derive(seed, $"font-subset/{ordinal}/{baseName}").Take(6).Select(b => (char)('A' + b % 26)).ToArray());

    private static string DerivedUuid(byte[] seed, string purpose) =>
        new Guid(Derive(seed, purpose).AsSpan(0, 16)).ToString("D");

    private static byte[] Derive(byte[] seed, string purpose) =>
        SHA256.HashData([.. seed, .. Encoding.UTF8.GetBytes(purpose)]);
}
