using System.Buffers.Binary;

namespace SaeAudit.Reporting.Fonts;

/// <summary>Advance widths of DejaVu Sans (regular, bold) read from the embedded TTFs, so the chart layout can size
/// and place text without a graphics context, identically for SVG and PDF. Characters the font lacks measure as
/// the font's default glyph.</summary>
public sealed class TextMetrics
{
    public static TextMetrics Regular => LazyRegular.Value;

    public static TextMetrics Bold => LazyBold.Value;

    public static TextMetrics For(bool bold) => bold ? Bold : Regular;

    private static readonly Lazy<TextMetrics> LazyRegular = new(() => new TextMetrics(FontFiles.Read(FontFiles.Sans)));
    private static readonly Lazy<TextMetrics> LazyBold = new(() => new TextMetrics(FontFiles.Read(FontFiles.SansBold)));

    // Advance width of every BMP character as a fraction of the em (widths per unit font size).
    private readonly float[] _advance = new float[char.MaxValue + 1];

    private TextMetrics(byte[] ttf)
    {
        var font = new TrueTypeTables(ttf);
        var unitsPerEm = font.U16("head", 18);
        var metricsCount = font.U16("hhea", 34);
        var glyphs = font.CharacterToGlyph();
        for (var c = 0; c <= char.MaxValue; c++)
        {
            var glyph = Math.Min(glyphs[c], metricsCount - 1); // glyphs past the last metric share its advance
            _advance[c] = (float)font.U16("hmtx", glyph * 4) / unitsPerEm;
        }
    }

    /// <summary>Width of <paramref name="text"/> at <paramref name="size"/> (same unit as the size), without
    /// kerning, as PDFsharp and browsers draw DejaVu by default.</summary>
    public double Width(string text, double size)
    {
        double em = 0;
        foreach (var c in text) em += _advance[c];
        return em * size;
    }

    /// <summary>The minimal TrueType reading needed here: the table directory, 'cmap' format 4 (BMP) and raw reads.</summary>
    private sealed class TrueTypeTables
    {
        private readonly byte[] _data;
        private readonly Dictionary<string, int> _offsets = new();

        public TrueTypeTables(byte[] data)
        {
            _data = data;
            int tables = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(4));
            for (var i = 0; i < tables; i++)
            {
                var record = 12 + 16 * i;
                var tag = System.Text.Encoding.ASCII.GetString(data, record, 4);
                _offsets[tag] = (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(record + 8));
            }
        }

        public int U16(string table, int offset) => BinaryPrimitives.ReadUInt16BigEndian(_data.AsSpan(Table(table) + offset));

        private int Table(string tag) =>
            _offsets.TryGetValue(tag, out var offset) ? offset : throw new InvalidDataException($"font has no '{tag}' table");

        /// <summary>Glyph index of every BMP character from the Windows Unicode (3, 1) format-4 subtable.</summary>
        public int[] CharacterToGlyph()
        {
            var cmap = Table("cmap");
            int subtables = U16("cmap", 2);
            var format4 = -1;
            for (var i = 0; i < subtables && format4 < 0; i++)
            {
                int platform = U16("cmap", 4 + 8 * i), encoding = U16("cmap", 6 + 8 * i);
                var offset = cmap + (int)BinaryPrimitives.ReadUInt32BigEndian(_data.AsSpan(cmap + 8 + 8 * i));
                if (platform == 3 && encoding == 1 && Read(offset) == 4) format4 = offset;
            }
            if (format4 < 0) throw new InvalidDataException("font has no Unicode BMP (3, 1, format 4) cmap");

            var glyphs = new int[char.MaxValue + 1];
            var segments = Read(format4 + 6) / 2;
            var ends = format4 + 14;
            var starts = ends + 2 * segments + 2;
            var deltas = starts + 2 * segments;
            var rangeOffsets = deltas + 2 * segments;
            for (var s = 0; s < segments; s++)
            {
                int end = Read(ends + 2 * s), start = Read(starts + 2 * s);
                var delta = (short)Read(deltas + 2 * s);
                var rangeOffsetAt = rangeOffsets + 2 * s;
                int rangeOffset = Read(rangeOffsetAt);
                for (var c = start; c <= end && c <= char.MaxValue; c++)
                {
                    int glyph;
                    if (rangeOffset == 0) glyph = (c + delta) & 0xFFFF;
                    else
                    {
                        // idRangeOffset counts bytes from its own position into glyphIdArray (the spec's pointer trick).
                        glyph = Read(rangeOffsetAt + rangeOffset + 2 * (c - start));
                        if (glyph != 0) glyph = (glyph + delta) & 0xFFFF;
                    }
                    glyphs[c] = glyph;
                }
            }
            return glyphs;
        }

        private int Read(int absolute) => BinaryPrimitives.ReadUInt16BigEndian(_data.AsSpan(absolute));
    }
}
