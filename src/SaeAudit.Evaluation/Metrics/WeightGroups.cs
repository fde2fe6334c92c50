namespace SaeAudit.Evaluation.Metrics;

/// <summary>SPEC §7/§12 naming rules for the weight difference: tensor names (HF keys, GPT-2's 'transformer.'
/// stripped), buffers that are not parameters, layer groups, and which tensor is the unembedding. Covers GPT-2,
/// Llama/Mistral/Gemma (with or without the 'model.' prefix) and GPT-NeoX checkpoints.</summary>
public static class WeightGroups
{
    public const string Embedding = "embedding";
    public const string FinalNorm = "final_norm";
    public const string Unembedding = "unembedding";
    public const string BlockPrefix = "blocks.";

    private static readonly string[] EmbeddingPrefixes =
        ["wte.", "wpe.", "model.embed_tokens.", "embed_tokens.", "gpt_neox.embed_in.", "embed_in."];

    private static readonly string[] BlockPrefixes = ["h.", "model.layers.", "layers.", "gpt_neox.layers."];

    private static readonly string[] FinalNormPrefixes =
        ["ln_f.", "model.norm.", "norm.", "gpt_neox.final_layer_norm.", "final_layer_norm."];

    private static readonly string[] UnembeddingPrefixes = ["lm_head.", "embed_out."];

    // Untied output heads first; otherwise the tied input embedding is the unembedding.
    private static readonly string[] UnembeddingCandidates =
        ["lm_head.weight", "embed_out.weight", "wte.weight", "model.embed_tokens.weight", "embed_tokens.weight"];

    // Causal-mask and rotary buffers some checkpoints store beside the parameters.
    private static readonly string[] BufferSuffixes =
        [".attn.bias", ".attn.masked_bias", ".attention.bias", ".attention.masked_bias", ".rotary_emb.inv_freq"];

    /// <summary>The name a checkpoint key is reported under: GPT-2's 'transformer.' prefix is stripped.</summary>
    public static string CanonicalName(string key) =>
        key.StartsWith("transformer.", StringComparison.Ordinal) ? key["transformer.".Length..] : key;

    /// <summary>True for stored buffers (attention masks, rotary frequencies) that are not weights.</summary>
    public static bool IsBuffer(string name) =>
        BufferSuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.Ordinal));

    /// <summary>Layer group of a canonical tensor name: embedding, blocks.&lt;i&gt;, final_norm, unembedding (an
    /// untied head), or null for a tensor outside these groups.</summary>
    public static string? Group(string name)
    {
        if (StartsWithAny(name, EmbeddingPrefixes)) return Embedding;
        if (StartsWithAny(name, FinalNormPrefixes)) return FinalNorm;
        if (StartsWithAny(name, UnembeddingPrefixes)) return Unembedding;
        foreach (var prefix in BlockPrefixes)
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var rest = name.AsSpan(prefix.Length);
            var dot = rest.IndexOf('.');
            if (dot > 0 && int.TryParse(rest[..dot], System.Globalization.NumberStyles.None, null, out var block))
                return BlockPrefix + block;
        }
        return null;
    }

    /// <summary>The unembedding among canonical names: lm_head / embed_out, or the tied input embedding.</summary>
    public static string? UnembeddingName(IReadOnlyCollection<string> names) =>
        UnembeddingCandidates.FirstOrDefault(names.Contains);

    private static bool StartsWithAny(string name, string[] prefixes) =>
        prefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));
}
