namespace SaeAudit.Models.Tokenizers;

/// <summary>tokenizer.json <c>normalizer</c>: rewrites each piece of the input that is not an added token,
/// before pre-tokenization. Offsets are not tracked: this tokenizer returns ids and token strings only.</summary>
internal abstract class Normalizer
{
    public abstract string Normalize(string text);

    public static Normalizer Load(ConfigNode node)
    {
        var type = node.TypeName();
        return type switch
        {
            "Sequence" => new SequenceNormalizer(node.Required("normalizers").Items().Select(Load).ToArray()),
            "Prepend" => new PrependNormalizer(node.Required("prepend").AsString()),
            "Replace" => new ReplaceNormalizer(TextPattern.Parse(node.Required("pattern")), node.Required("content").AsString()),
            _ => throw node.Unsupported("normalizer", type, "Sequence, Prepend, Replace"),
        };
    }
}

internal sealed class SequenceNormalizer(Normalizer[] normalizers) : Normalizer
{
    public override string Normalize(string text)
    {
        foreach (var normalizer in normalizers)
            text = normalizer.Normalize(text);
        return text;
    }
}

/// <summary>SentencePiece's dummy prefix (Llama-2: "▁"); HF leaves an empty string empty.</summary>
internal sealed class PrependNormalizer(string prefix) : Normalizer
{
    public override string Normalize(string text) => text.Length == 0 ? text : prefix + text;
}

internal sealed class ReplaceNormalizer(TextPattern pattern, string content) : Normalizer
{
    public override string Normalize(string text) => pattern.Replace(text, content);
}
