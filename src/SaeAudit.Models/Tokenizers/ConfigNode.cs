using System.Text.Json;

namespace SaeAudit.Models.Tokenizers;

/// <summary>A JSON value of tokenizer.json together with the file name and its field path
/// (e.g. <c>pre_tokenizer.pretokenizers[1].type</c>), so every load error can say exactly what is wrong where.</summary>
internal readonly struct ConfigNode
{
    public ConfigNode(string file, string path, JsonElement element)
    {
        File = file;
        Path = path;
        Element = element;
    }

    public string File { get; }

    public string Path { get; }

    public JsonElement Element { get; }

    public InvalidInputException Error(string problem) =>
        InvalidInputException.For(File, Path.Length == 0 ? null : Path, problem);

    /// <summary>The child field, or null when it is missing or JSON null (HF writes <c>"normalizer": null</c> for "none").</summary>
    public ConfigNode? Optional(string name)
    {
        if (Element.ValueKind != JsonValueKind.Object)
            throw Error($"expected an object, found {Describe(Element)}");
        return Element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? new ConfigNode(File, ChildPath(name), value)
            : null;
    }

    public ConfigNode Required(string name) =>
        Optional(name) ?? throw InvalidInputException.For(File, ChildPath(name), "required field is missing");

    public string AsString() =>
        Element.ValueKind == JsonValueKind.String ? Element.GetString()! : throw Error($"expected a string, found {Describe(Element)}");

    public bool AsBool() => Element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Error($"expected true or false, found {Describe(Element)}"),
    };

    public int AsInt() =>
        Element.ValueKind == JsonValueKind.Number && Element.TryGetInt32(out var value)
            ? value
            : throw Error($"expected an integer, found {Describe(Element)}");

    public double AsDouble() =>
        Element.ValueKind == JsonValueKind.Number ? Element.GetDouble() : throw Error($"expected a number, found {Describe(Element)}");

    /// <summary>A Rust <c>char</c> field. Only BMP characters are accepted: the decoders compare UTF-16 units.</summary>
    public char AsChar()
    {
        var text = AsString();
        return text.Length == 1 && !char.IsSurrogate(text[0])
            ? text[0]
            : throw Error($"expected a single character (BMP), found \"{text}\"");
    }

    public string? OptionalString(string name) => Optional(name)?.AsString();

    public bool OptionalBool(string name, bool fallback) => Optional(name)?.AsBool() ?? fallback;

    /// <summary>The component's <c>type</c> tag, e.g. "ByteLevel".</summary>
    public string TypeName() => Required("type").AsString();

    public InvalidInputException Unsupported(string componentKind, string type, string supported) =>
        InvalidInputException.For(File, ChildPath("type"),
            $"unsupported {componentKind} type '{type}' (supported: {supported})");

    public IEnumerable<ConfigNode> Items()
    {
        if (Element.ValueKind != JsonValueKind.Array)
            throw Error($"expected an array, found {Describe(Element)}");
        var file = File;
        var path = Path;
        return Element.EnumerateArray().Select((item, i) => new ConfigNode(file, $"{path}[{i}]", item));
    }

    public IEnumerable<(string Name, ConfigNode Value)> Properties()
    {
        if (Element.ValueKind != JsonValueKind.Object)
            throw Error($"expected an object, found {Describe(Element)}");
        var self = this;
        return Element.EnumerateObject().Select(p => (p.Name, new ConfigNode(self.File, self.ChildPath(p.Name), p.Value)));
    }

    private string ChildPath(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{Truncate(element.GetString()!)}\"",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => "null",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
