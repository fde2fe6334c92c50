using System.Text;
using System.Text.Json;
using SaeAudit.Models;

namespace SaeAudit.Evaluation.Sampling;

/// <summary>The documents of a text dataset, streamed in file order (SPEC §2). Files must be UTF-8; see
/// <see cref="ReadJsonl"/> and <see cref="ReadTxt"/> for what a document is. Errors are
/// <see cref="InvalidInputException"/>s naming the file and the line.</summary>
public static class TextDocuments
{
    /// <summary>The documents of a <c>.jsonl</c> (<paramref name="field"/> of each object) or <c>.txt</c> file.</summary>
    public static IEnumerable<string> Read(string path, string field) => DatasetFormats.Of(path) switch
    {
        DatasetFormat.Jsonl => ReadJsonl(path, field),
        DatasetFormat.Text => ReadTxt(path),
        var format => throw new ArgumentException($"{path} is a pre-tokenized {format} dataset, not text", nameof(path)),
    };

    /// <summary>One document per line: the string <paramref name="field"/> of the JSON object on that line. Lines that
    /// are empty or whitespace-only are skipped. A line that is not a JSON object, lacks the field, or holds a
    /// non-string there is an error naming the file, the line number and the field.</summary>
    public static IEnumerable<string> ReadJsonl(string path, string field)
    {
        foreach (var line in Utf8Lines.Read(path))
        {
            if (string.IsNullOrWhiteSpace(line.Text)) continue;
            yield return FieldOf(path, line, field);
        }
    }

    /// <summary>One document per block of lines: blocks are separated by one or more blank lines (empty or
    /// whitespace-only); a document is its lines joined with '\n', with no trailing newline. Lines keep their own
    /// leading and trailing spaces; line ends are '\n' or "\r\n" (both become '\n'). Blank lines at the start or end of
    /// the file produce no document.</summary>
    public static IEnumerable<string> ReadTxt(string path)
    {
        var document = new StringBuilder();
        var inDocument = false;
        foreach (var line in Utf8Lines.Read(path))
        {
            if (string.IsNullOrWhiteSpace(line.Text))
            {
                if (!inDocument) continue;
                yield return document.ToString();
                document.Clear();
                inDocument = false;
                continue;
            }
            if (inDocument) document.Append('\n');
            document.Append(line.Text);
            inDocument = true;
        }
        if (inDocument) yield return document.ToString();
    }

    private static string FieldOf(string path, TextLine line, string field)
    {
        var where = $"line {line.Number}";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.Text);
        }
        catch (JsonException e)
        {
            throw InvalidInputException.For(path, where, $"not valid JSON ({e.Message})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw InvalidInputException.For(path, where, $"expected a JSON object with a string field '{field}', got a JSON {root.ValueKind.ToString().ToLowerInvariant()}");
            if (!root.TryGetProperty(field, out var value))
                throw InvalidInputException.For(path, $"{where}: field '{field}'", "missing");
            if (value.ValueKind != JsonValueKind.String)
                throw InvalidInputException.For(path, $"{where}: field '{field}'",
                    $"expected a string, got a JSON {value.ValueKind.ToString().ToLowerInvariant()}");
            try
            {
                return value.GetString()!;
            }
            catch (InvalidOperationException e)
            {
                // A lone surrogate escape such as "\ud800" is valid JSON but not a valid string.
                throw InvalidInputException.For(path, $"{where}: field '{field}'", $"not valid text ({e.Message})");
            }
        }
    }
}
