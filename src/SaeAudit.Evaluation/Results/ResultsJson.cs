using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using SaeAudit.Models;

namespace SaeAudit.Evaluation.Results;

/// <summary>Reads and writes the results file. Doubles are written in .NET's shortest round-trip form, keys in
/// declaration order, so the same results give the same bytes.</summary>
public static class ResultsJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(AuditResults results) => JsonSerializer.Serialize(results, Options) + "\n";

    public static JsonNode ToNode(object value) => JsonSerializer.SerializeToNode(value, Options)!;

    public static AuditResults Read(string path)
    {
        try
        {
            var results = JsonSerializer.Deserialize<AuditResults>(File.ReadAllText(path), Options)
                ?? throw new InvalidInputException($"{path}: empty results file");
            if (results.SchemaVersion != AuditResults.CurrentSchemaVersion)
                throw InvalidInputException.For(path, "schema_version",
                    $"{results.SchemaVersion} is not supported (expected {AuditResults.CurrentSchemaVersion})");
            return results;
        }
        catch (JsonException e)
        {
            throw InvalidInputException.For(path, e.Path, $"not a saeaudit results file: {e.Message}");
        }
        catch (FileNotFoundException)
        {
            throw new InvalidInputException($"{path}: results file not found");
        }
    }

    /// <summary>Writes to a temporary file beside <paramref name="path"/>, then moves it into place, so a reader
    /// never sees half a file.</summary>
    public static void Write(string path, AuditResults results)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temporary, Serialize(results), new UTF8Encoding(false));
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
