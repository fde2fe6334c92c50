using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using SaeAudit.Testing;

namespace SaeAudit.Cli.Tests;

/// <summary>Builds broken copies of the gpt2-tiny base model folder: config.json edited as JSON, safetensors
/// rewritten header-first (8-byte little-endian header length, JSON header, data).</summary>
internal static class BrokenModels
{
    public static readonly string BaseModel = Fixtures.Path("gpt2-tiny", "models", "base");

    /// <summary>Copies config.json, model.safetensors and tokenizer.json of the base model into temp/model.</summary>
    public static string CopyOfBase(TempFolder temp)
    {
        var model = temp["model"];
        Directory.CreateDirectory(model);
        foreach (var name in new[] { "config.json", "model.safetensors", "tokenizer.json" })
        {
            File.Copy(Path.Combine(BaseModel, name), Path.Combine(model, name));
            File.SetAttributes(Path.Combine(model, name), FileAttributes.Normal); // the fixtures are read-only
        }
        return model;
    }

    public static void EditConfig(string model, Action<JsonObject> edit)
    {
        var path = Path.Combine(model, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
    }

    public static (JsonObject Header, byte[] Data) ReadSafetensors(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(bytes.AsSpan(8, headerLength))!.AsObject();
        return (header, bytes[(8 + headerLength)..]);
    }

    public static void WriteSafetensors(string file, JsonObject header, byte[] data) =>
        WriteSafetensors(file, Encoding.UTF8.GetBytes(header.ToJsonString()), data);

    /// <summary>Writes raw header bytes (padded with spaces to a multiple of 8, as the format's writers do).</summary>
    public static void WriteSafetensors(string file, byte[] header, byte[] data)
    {
        var padded = header.Concat(Enumerable.Repeat((byte)' ', (8 - header.Length % 8) % 8)).ToArray();
        using var stream = File.Create(file);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded.Length);
        stream.Write(length);
        stream.Write(padded);
        stream.Write(data);
    }

    /// <summary>The header's entry for <paramref name="tensor"/>.</summary>
    public static JsonObject Entry(JsonObject header, string tensor) => header[tensor]!.AsObject();

    public static (long Begin, long End) Offsets(JsonObject header, string tensor)
    {
        var offsets = Entry(header, tensor)["data_offsets"]!.AsArray();
        return (offsets[0]!.GetValue<long>(), offsets[1]!.GetValue<long>());
    }

    public static void SetOffsets(JsonObject header, string tensor, long begin, long end) =>
        Entry(header, tensor)["data_offsets"] = new JsonArray(begin, end);
}
