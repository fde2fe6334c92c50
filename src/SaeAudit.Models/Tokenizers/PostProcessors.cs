namespace SaeAudit.Models.Tokenizers;

/// <summary>tokenizer.json <c>post_processor</c> for a single sequence: what <c>add_special_tokens</c> adds.</summary>
internal abstract class PostProcessor
{
    public abstract EncodingBuilder Process(EncodingBuilder encoding, bool addSpecialTokens);

    public static PostProcessor Load(ConfigNode node)
    {
        var type = node.TypeName();
        return type switch
        {
            "Sequence" => new SequencePostProcessor(node.Required("processors").Items().Select(Load).ToArray()),
            "ByteLevel" => new ByteLevelPostProcessor(),
            "TemplateProcessing" => TemplatePostProcessor.FromConfig(node),
            _ => throw node.Unsupported("post-processor", type, "Sequence, ByteLevel, TemplateProcessing"),
        };
    }
}

internal sealed class SequencePostProcessor(PostProcessor[] processors) : PostProcessor
{
    public override EncodingBuilder Process(EncodingBuilder encoding, bool addSpecialTokens)
    {
        foreach (var processor in processors)
            encoding = processor.Process(encoding, addSpecialTokens);
        return encoding;
    }
}

/// <summary>Only trims offsets in HF; ids and tokens are unchanged (GPT-2 adds no BOS/EOS).</summary>
internal sealed class ByteLevelPostProcessor : PostProcessor
{
    public override EncodingBuilder Process(EncodingBuilder encoding, bool addSpecialTokens) => encoding;
}

/// <summary>HF's TemplateProcessing, <c>single</c> template: e.g. <c>&lt;s&gt; $A</c> prepends BOS (Llama-2).</summary>
internal sealed class TemplatePostProcessor : PostProcessor
{
    /// <summary>One template element: special-token ids/tokens, or null for the sequence itself ($A).</summary>
    private readonly (int[] Ids, string[] Tokens)?[] _single;

    private TemplatePostProcessor((int[] Ids, string[] Tokens)?[] single) => _single = single;

    public static TemplatePostProcessor FromConfig(ConfigNode node)
    {
        var specialTokens = new Dictionary<string, (int[] Ids, string[] Tokens)>(StringComparer.Ordinal);
        if (node.Optional("special_tokens") is { } specials)
        {
            foreach (var (name, special) in specials.Properties())
            {
                var ids = special.Required("ids").Items().Select(i => i.AsInt()).ToArray();
                var tokens = special.Required("tokens").Items().Select(t => t.AsString()).ToArray();
                if (ids.Length != tokens.Length)
                    throw special.Error("\"ids\" and \"tokens\" must have the same length");
                specialTokens[name] = (ids, tokens);
            }
        }

        var single = new List<(int[] Ids, string[] Tokens)?>();
        foreach (var piece in node.Required("single").Items())
        {
            if (piece.Optional("Sequence") is { } sequence)
            {
                var id = sequence.Required("id").AsString();
                if (id != "A")
                    throw sequence.Required("id").Error($"the single template can only hold sequence A, found '{id}'");
                single.Add(null);
            }
            else if (piece.Optional("SpecialToken") is { } special)
            {
                var idNode = special.Required("id");
                single.Add(specialTokens.TryGetValue(idNode.AsString(), out var entry)
                    ? entry
                    : throw idNode.Error($"special token '{idNode.AsString()}' is not listed in special_tokens"));
            }
            else
            {
                throw piece.Error("expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
            }
        }
        return new TemplatePostProcessor(single.ToArray());
    }

    public override EncodingBuilder Process(EncodingBuilder encoding, bool addSpecialTokens)
    {
        if (!addSpecialTokens)
            return encoding;
        var result = new EncodingBuilder(encoding.WantsTokens);
        foreach (var piece in _single)
        {
            if (piece is not { } special)
            {
                result.Ids.AddRange(encoding.Ids);
                result.Tokens?.AddRange(encoding.Tokens!);
                continue;
            }
            for (var i = 0; i < special.Ids.Length; i++)
                result.Add(special.Ids[i], special.Tokens[i]);
        }
        return result;
    }
}
