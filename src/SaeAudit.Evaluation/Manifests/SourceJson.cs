using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SaeAudit.Evaluation.Manifests;

/// <summary>A line and column in a source file, both 1-based; the column counts characters, not bytes.</summary>
internal readonly record struct SourcePosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>A parsed JSON value that remembers where it was written. JsonDocument forgets positions, and every
/// manifest error must point at a line and column, so the manifest is read into this small tree instead.</summary>
internal abstract record SourceNode(SourcePosition Position)
{
    /// <summary>How the value reads in an error message ("got ..."): strings quoted, containers by kind.</summary>
    public abstract string Describe();
}

internal sealed record SourceObject(SourcePosition Position, IReadOnlyList<SourceMember> Members) : SourceNode(Position)
{
    public override string Describe() => "an object";
}

/// <summary>One <c>"name": value</c> of an object; <see cref="NamePosition"/> is where the name's quote opens.</summary>
internal sealed record SourceMember(string Name, SourcePosition NamePosition, SourceNode Value);

internal sealed record SourceArray(SourcePosition Position, IReadOnlyList<SourceNode> Items) : SourceNode(Position)
{
    public override string Describe() => "an array";
}

internal sealed record SourceString(SourcePosition Position, string Value) : SourceNode(Position)
{
    // Relaxed escaping so a non-ASCII name reads as written, not as \u escapes.
    private static readonly JsonSerializerOptions Quoting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public override string Describe() => JsonSerializer.Serialize(Value, Quoting);
}

/// <summary>A number kept as written, so integers are never routed through a double and lose digits.</summary>
internal sealed record SourceNumber(SourcePosition Position, string Text) : SourceNode(Position)
{
    public override string Describe() => Text;

    /// <summary>The value as a double; JSON has no NaN, but a literal like 1e999 overflows to infinity.</summary>
    public double AsDouble() => double.Parse(Text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The value if it is a whole number that fits a decimal (±7.9e28), written as 16384, 16384.0 or
    /// 1.6384e4 alike (JSON Schema counts 1.0 as an integer too).</summary>
    public bool TryGetWholeNumber(out decimal value) =>
        decimal.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value == decimal.Truncate(value);
}

internal sealed record SourceBool(SourcePosition Position, bool Value) : SourceNode(Position)
{
    public override string Describe() => Value ? "true" : "false";
}

internal sealed record SourceNull(SourcePosition Position) : SourceNode(Position)
{
    public override string Describe() => "null";
}

/// <summary>Reads UTF-8 JSON (with <c>//</c> and <c>/* */</c> comments and trailing commas, which hand-edited
/// manifests and <c>saeaudit init</c>'s commented starter need) into a <see cref="SourceNode"/> tree.</summary>
internal static partial class SourceJson
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 64,
    };

    /// <summary>Parses <paramref name="utf8"/>; a syntax error becomes a <see cref="SourceSyntaxException"/> with
    /// the position the reader stopped at.</summary>
    public static SourceNode Parse(ReadOnlySpan<byte> utf8)
    {
        // Utf8JsonReader rejects a byte-order mark; editors on Windows like to write one.
        var bom = Encoding.UTF8.Preamble;
        if (utf8.StartsWith(bom)) utf8 = utf8[bom.Length..];

        var lines = new LineMap(utf8);
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        try
        {
            if (!reader.Read()) throw new SourceSyntaxException(new SourcePosition(1, 1), "the file holds no JSON value");
            var root = ReadValue(ref reader, lines, utf8);
            // Read past the root so that anything after it (a second object, stray text) is a syntax error too.
            if (reader.Read())
                throw new SourceSyntaxException(lines.PositionOf(utf8, (int)reader.TokenStartIndex),
                    "unexpected content after the top-level JSON value");
            return root;
        }
        catch (JsonException e)
        {
            // The reader reports a 0-based line and a byte offset within it; turn that into a character column.
            var line = (int)(e.LineNumber ?? 0);
            var offset = lines.OffsetOf(line, (int)(e.BytePositionInLine ?? 0));
            throw new SourceSyntaxException(lines.PositionOf(utf8, offset), TrimReaderMessage(e.Message));
        }
    }

    private static SourceNode ReadValue(ref Utf8JsonReader reader, LineMap lines, ReadOnlySpan<byte> utf8)
    {
        var position = lines.PositionOf(utf8, (int)reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var members = new List<SourceMember>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var namePosition = lines.PositionOf(utf8, (int)reader.TokenStartIndex);
                    var name = GetString(ref reader, namePosition);
                    reader.Read();
                    members.Add(new SourceMember(name, namePosition, ReadValue(ref reader, lines, utf8)));
                }
                return new SourceObject(position, members);
            case JsonTokenType.StartArray:
                var items = new List<SourceNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    items.Add(ReadValue(ref reader, lines, utf8));
                return new SourceArray(position, items);
            case JsonTokenType.String:
                return new SourceString(position, GetString(ref reader, position));
            case JsonTokenType.Number:
                return new SourceNumber(position, Encoding.UTF8.GetString(reader.ValueSpan));
            case JsonTokenType.True:
            case JsonTokenType.False:
                return new SourceBool(position, reader.GetBoolean());
            case JsonTokenType.Null:
                return new SourceNull(position);
            default:
                throw new SourceSyntaxException(position, $"unexpected JSON token {reader.TokenType}");
        }
    }

    private static string GetString(ref Utf8JsonReader reader, SourcePosition position)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            // Invalid UTF-8 or a lone surrogate escape inside a string surfaces only when it is decoded.
            throw new SourceSyntaxException(position, e.Message);
        }
    }

    /// <summary>The reader appends " LineNumber: 3 | BytePositionInLine: 4." (0-based); the caller reports the
    /// position itself, 1-based, so that suffix would only confuse.</summary>
    private static string TrimReaderMessage(string message) => ReaderPositionSuffix().Replace(message, "").TrimEnd();

    [GeneratedRegex(@"\s*(Path: \S+ \|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.?\s*$")]
    private static partial Regex ReaderPositionSuffix();

    /// <summary>Byte offsets of line starts ('\n' ends a line, as in Utf8JsonReader's own count).</summary>
    private sealed class LineMap
    {
        private readonly List<int> _starts = [0];

        public LineMap(ReadOnlySpan<byte> utf8)
        {
            for (var i = 0; i < utf8.Length; i++)
                if (utf8[i] == (byte)'\n') _starts.Add(i + 1);
        }

        public int OffsetOf(int zeroBasedLine, int byteInLine) =>
            _starts[Math.Clamp(zeroBasedLine, 0, _starts.Count - 1)] + byteInLine;

        public SourcePosition PositionOf(ReadOnlySpan<byte> utf8, int offset)
        {
            offset = Math.Clamp(offset, 0, utf8.Length);
            var index = _starts.BinarySearch(offset);
            var line = index >= 0 ? index : ~index - 1;
            // Count characters, not bytes: UTF-8 continuation bytes (10xxxxxx) don't start a character.
            var column = 1;
            for (var i = _starts[line]; i < offset; i++)
                if ((utf8[i] & 0xC0) != 0x80) column++;
            return new SourcePosition(line + 1, column);
        }
    }
}

/// <summary>Malformed JSON at a position; the loader adds the file name.</summary>
internal sealed class SourceSyntaxException(SourcePosition position, string problem) : Exception(problem)
{
    public SourcePosition Position { get; } = position;
}
