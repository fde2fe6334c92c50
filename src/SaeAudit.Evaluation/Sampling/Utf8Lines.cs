using System.Text;
using SaeAudit.Models;

namespace SaeAudit.Evaluation.Sampling;

/// <summary>One line of a text file: 1-based number, byte offset of its first byte, and its text without the line end.</summary>
internal readonly record struct TextLine(long Number, long ByteOffset, string Text);

/// <summary>Streams the lines of a strictly UTF-8 file. Lines end at '\n'; a '\r' right before it is dropped, so CRLF
/// files read like LF files; a final line without '\n' still counts; a leading UTF-8 BOM is skipped. Invalid UTF-8 is
/// an <see cref="InvalidInputException"/> naming the file, the byte offset and the line.</summary>
internal static class Utf8Lines
{
    private const int ChunkSize = 1 << 16;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    public static IEnumerable<TextLine> Read(string path)
    {
        using var stream = OpenRead(path);
        var chunk = new byte[ChunkSize];
        var line = new byte[ChunkSize];
        var lineLength = 0;
        long lineNumber = 1, lineStart = 0, position = 0;
        var atFileStart = true;

        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            // Indices, not spans: a span cannot live across the yield below.
            var next = 0;
            if (atFileStart)
            {
                atFileStart = false;
                if (chunk.AsSpan(0, read).StartsWith(ByteOrderMark))
                {
                    next = ByteOrderMark.Length;
                    position = lineStart = ByteOrderMark.Length;
                }
            }
            while (next < read)
            {
                var newline = chunk.AsSpan(next, read - next).IndexOf((byte)'\n');
                var pieceLength = newline < 0 ? read - next : newline;
                Append(ref line, ref lineLength, chunk.AsSpan(next, pieceLength));
                position += pieceLength;
                next += pieceLength;
                if (newline < 0) break;

                yield return Decode(path, line.AsSpan(0, lineLength), lineNumber, lineStart);
                next++;
                position++;
                lineNumber++;
                lineStart = position;
                lineLength = 0;
            }
        }
        if (lineLength > 0) yield return Decode(path, line.AsSpan(0, lineLength), lineNumber, lineStart);
    }

    private static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw InvalidInputException.For(path, null, "dataset file not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InvalidInputException.For(path, null, $"cannot read the dataset file: {e.Message}");
        }
    }

    private static void Append(ref byte[] buffer, ref int length, ReadOnlySpan<byte> bytes)
    {
        if (length + bytes.Length > buffer.Length)
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + bytes.Length));
        bytes.CopyTo(buffer.AsSpan(length));
        length += bytes.Length;
    }

    private static TextLine Decode(string path, ReadOnlySpan<byte> bytes, long lineNumber, long lineStart)
    {
        if (!bytes.IsEmpty && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        try
        {
            return new TextLine(lineNumber, lineStart, Strict.GetString(bytes));
        }
        catch (DecoderFallbackException e)
        {
            var offset = lineStart + Math.Max(0, e.Index);
            throw InvalidInputException.For(path, $"line {lineNumber}",
                $"invalid UTF-8 at byte offset {offset} (bytes {Convert.ToHexString(e.BytesUnknown ?? [])}); datasets must be UTF-8 text");
        }
    }
}
