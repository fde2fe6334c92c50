using System.Text.Json;
using System.Text.Json.Serialization;

namespace SaeAudit.Evaluation.Metrics;

/// <summary>Writes a non-finite metric (NaN: undefined, e.g. no token contributed) as JSON null, which JSON can
/// represent and the reference files use; reads null back as NaN.</summary>
public sealed class NanAsNullConverter : JsonConverter<double>
{
    public override bool HandleNull => true;

    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteNullValue();
    }
}

/// <summary><see cref="NanAsNullConverter"/> for arrays (per-position curves).</summary>
public sealed class NanAsNullArrayConverter : JsonConverter<double[]>
{
    public override double[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("expected an array of numbers");
        var values = new List<double>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            values.Add(reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble());
        return [.. values];
    }

    public override void Write(Utf8JsonWriter writer, double[] value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var v in value)
        {
            if (double.IsFinite(v)) writer.WriteNumberValue(v);
            else writer.WriteNullValue();
        }
        writer.WriteEndArray();
    }
}

/// <summary><see cref="NanAsNullConverter"/> for name → value maps (weight differences), in insertion order.</summary>
public sealed class NanAsNullMapConverter : JsonConverter<IReadOnlyDictionary<string, double>>
{
    public override IReadOnlyDictionary<string, double> Read(ref Utf8JsonReader reader, Type typeToConvert,
        JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("expected an object of numbers");
        var values = new Dictionary<string, double>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            values[name] = reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();
        }
        return values;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, double> value,
        JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (name, v) in value)
        {
            if (double.IsFinite(v)) writer.WriteNumber(name, v);
            else writer.WriteNull(name);
        }
        writer.WriteEndObject();
    }
}
