using System.Collections.Concurrent;

namespace SaeAudit.Reporting.Fonts;

/// <summary>The DejaVu TTFs embedded in this assembly (resource "SaeAudit.Reporting.Fonts.&lt;file&gt;", see the
/// csproj), so neither the PDF nor the chart layout depends on installed fonts.</summary>
public static class FontFiles
{
    public const string Sans = "DejaVuSans.ttf";
    public const string SansBold = "DejaVuSans-Bold.ttf";
    public const string Mono = "DejaVuSansMono.ttf";

    private static readonly ConcurrentDictionary<string, byte[]> Loaded = new();

    /// <summary>The bytes of one of the files above (loaded once, shared: do not modify).</summary>
    public static byte[] Read(string file) => Loaded.GetOrAdd(file, static name =>
    {
        var resource = $"SaeAudit.Reporting.Fonts.{name}";
        using var stream = typeof(FontFiles).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded font {resource} is missing from the build");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    });
}
