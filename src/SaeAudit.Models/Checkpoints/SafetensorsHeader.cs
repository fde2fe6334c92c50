using System.Text.Json;

namespace SaeAudit.Models.Checkpoints;

/// <summary>Parses and validates a safetensors JSON header with the rules of the reference Rust crate
/// (<c>safetensors::tensor::Metadata::validate</c>): every tensor well-formed, byte length = elements x dtype size,
/// and the tensors, sorted by offset, tile the data section exactly (no overlap, no gap, no trailing bytes).</summary>
internal static class SafetensorsHeader
{
    /// <summary>The Rust crate refuses headers above 100 MB; a larger length prefix means a corrupt or non-safetensors file.</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";

    public static (Dictionary<string, TensorEntry> Tensors, Dictionary<string, string> Metadata) Parse(
        string file, ReadOnlyMemory<byte> headerJson, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerJson);
        }
        catch (JsonException e)
        {
            throw InvalidInputException.For(file, "header", $"is not valid JSON ({e.Message})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw InvalidInputException.For(file, "header", $"is a JSON {Describe(root)}, expected an object");

            var tensors = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
            Dictionary<string, string>? metadata = null;
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (metadata is not null) throw InvalidInputException.For(file, MetadataKey, "appears twice in the header");
                    metadata = ParseMetadata(file, property.Value);
                    continue;
                }
                if (tensors.ContainsKey(property.Name))
                    throw InvalidInputException.For(file, TensorField(property.Name), "appears twice in the header");
                tensors.Add(property.Name, ParseEntry(file, property.Name, property.Value, dataLength));
            }
            CheckTiling(file, tensors.Values, dataLength);
            return (tensors, metadata ?? new Dictionary<string, string>(StringComparer.Ordinal));
        }
    }

    public static string TensorField(string name) => $"tensor '{name}'";

    private static Dictionary<string, string> ParseMetadata(string file, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw InvalidInputException.For(file, MetadataKey, $"is a JSON {Describe(value)}, expected an object of strings");
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw InvalidInputException.For(file, $"{MetadataKey}.{entry.Name}",
                    $"is a JSON {Describe(entry.Value)}, expected a string");
            map[entry.Name] = entry.Value.GetString()!;
        }
        return map;
    }

    private static TensorEntry ParseEntry(string file, string name, JsonElement value, long dataLength)
    {
        var field = TensorField(name);
        if (value.ValueKind != JsonValueKind.Object)
            throw InvalidInputException.For(file, field, $"entry is a JSON {Describe(value)}, expected an object with dtype, shape, data_offsets");

        var dtypeText = Required(file, field, value, "dtype");
        if (dtypeText.ValueKind != JsonValueKind.String)
            throw InvalidInputException.For(file, field, $"\"dtype\" is a JSON {Describe(dtypeText)}, expected a string");
        var dtypeName = dtypeText.GetString()!;
        if (!SafetensorsDTypes.TryParse(dtypeName, out var dtype))
            throw InvalidInputException.For(file, field,
                $"unknown dtype \"{dtypeName}\" (supported: {SafetensorsDTypes.SupportedList})");

        var shapeJson = Required(file, field, value, "shape");
        if (shapeJson.ValueKind != JsonValueKind.Array)
            throw InvalidInputException.For(file, field, $"\"shape\" is a JSON {Describe(shapeJson)}, expected a list of non-negative integers");
        var shape = new int[shapeJson.GetArrayLength()];
        var i = 0;
        foreach (var dim in shapeJson.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt32(out shape[i]) || shape[i] < 0)
                throw InvalidInputException.For(file, field,
                    $"\"shape\" entry {i} is {dim.GetRawText()}, expected a non-negative integer below 2^31");
            i++;
        }

        var offsetsJson = Required(file, field, value, "data_offsets");
        if (offsetsJson.ValueKind != JsonValueKind.Array || offsetsJson.GetArrayLength() != 2)
            throw InvalidInputException.For(file, field,
                $"\"data_offsets\" is {offsetsJson.GetRawText()}, expected [begin, end]");
        var begin = Offset(file, field, offsetsJson[0]);
        var end = Offset(file, field, offsetsJson[1]);
        if (begin > end)
            throw InvalidInputException.For(file, field, $"\"data_offsets\" [{begin}, {end}] has begin > end");
        if (end > dataLength)
            throw InvalidInputException.For(file, field,
                $"\"data_offsets\" [{begin}, {end}] run past the end of the data section ({dataLength} bytes): " +
                "the file is truncated or the header is wrong");

        long expectedBytes;
        try
        {
            expectedBytes = checked(TensorEntry.ElementCountOf(shape) * dtype.Size());
        }
        catch (OverflowException)
        {
            throw InvalidInputException.For(file, field, $"shape {TensorEntry.FormatShape(shape)} is too large");
        }
        if (end - begin != expectedBytes)
            throw InvalidInputException.For(file, field,
                $"\"data_offsets\" [{begin}, {end}] span {end - begin} bytes, but {dtypeName} {TensorEntry.FormatShape(shape)} needs {expectedBytes}");

        return new TensorEntry(name, dtype, shape, begin, end);
    }

    /// <summary>Sorted by offset, each tensor must start where the previous one ended and the last must end at the
    /// end of the file: what the Rust crate enforces, so a file we accept loads in HF tooling too.</summary>
    private static void CheckTiling(string file, IEnumerable<TensorEntry> entries, long dataLength)
    {
        long expected = 0;
        TensorEntry? previous = null;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin < expected)
                throw InvalidInputException.For(file, TensorField(entry.Name),
                    $"\"data_offsets\" [{entry.Begin}, {entry.End}] overlap tensor '{previous!.Name}' [{previous.Begin}, {previous.End}]");
            if (entry.Begin > expected)
                throw InvalidInputException.For(file, TensorField(entry.Name),
                    $"data is not contiguous: \"data_offsets\" begin at {entry.Begin} but the previous tensor ends at {expected} " +
                    $"(a gap of {entry.Begin - expected} bytes)");
            expected = entry.End;
            previous = entry;
        }
        if (expected != dataLength)
            throw InvalidInputException.For(file, "data section",
                $"{dataLength - expected} bytes after the last tensor (ending at {expected}) are not described by the header");
    }

    private static JsonElement Required(string file, string field, JsonElement entry, string key) =>
        entry.TryGetProperty(key, out var value)
            ? value
            : throw InvalidInputException.For(file, field, $"missing \"{key}\"");

    private static long Offset(string file, string field, JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var offset) && offset >= 0
            ? offset
            : throw InvalidInputException.For(file, field, $"\"data_offsets\" entry {value.GetRawText()} is not a non-negative integer");

    internal static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => value.ValueKind.ToString(),
    };
}
