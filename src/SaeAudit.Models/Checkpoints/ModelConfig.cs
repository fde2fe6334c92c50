using System.Text.Json;

namespace SaeAudit.Models.Checkpoints;

/// <summary>A Hugging Face <c>config.json</c>, with the per-<c>model_type</c> key names (GPT-2's <c>n_embd</c>,
/// Llama's <c>hidden_size</c>, ...) normalized into common properties. Fields that HF always writes are required;
/// fields HF may omit take HF's defaults for that model type. Every bad field is an <see cref="InvalidInputException"/>
/// naming the file and the field. Other fields are read with the typed accessors (<see cref="GetInt"/>, ...).</summary>
public sealed class ModelConfig
{
    /// <summary>The <c>model_type</c> values this tool runs.</summary>
    public static IReadOnlyList<string> SupportedModelTypes { get; } = ["gemma", "gemma2", "gpt2", "gpt_neox", "llama", "mistral"];

    private readonly JsonElement _root;

    private ModelConfig(string path, JsonElement root)
    {
        Path = path;
        _root = root;
        ModelType = RequiredModelType();
        Architectures = ReadArchitectures();
        BosTokenId = TokenId("bos_token_id");
        EosTokenId = TokenId("eos_token_id");
        PadTokenId = TokenId("pad_token_id");
        TorchDType = GetOptionalString("torch_dtype") ?? GetOptionalString("dtype");

        var gpt2 = ModelType == "gpt2";
        HiddenSize = Positive(gpt2 ? "n_embd" : "hidden_size");
        Layers = Positive(gpt2 ? "n_layer" : "num_hidden_layers");
        Heads = Positive(gpt2 ? "n_head" : "num_attention_heads");
        VocabSize = Positive("vocab_size");
        MaxPositions = Positive(gpt2 ? "n_positions" : "max_position_embeddings");

        switch (ModelType)
        {
            case "gpt2":
                KvHeads = Heads;
                HeadDim = DividedHeadDim("n_embd", "n_head");
                IntermediateSize = Positive("n_inner", GetOptionalInt("n_inner") ?? 4 * HiddenSize);
                NormEps = PositiveDouble("layer_norm_epsilon");
                Activation = GetOptionalString("activation_function") ?? "gelu_new";
                TieWordEmbeddings = GetBool("tie_word_embeddings", true);
                ScaleAttnWeights = GetBool("scale_attn_weights", true);
                ScaleAttnByInverseLayerIdx = GetBool("scale_attn_by_inverse_layer_idx", false);
                ReorderAndUpcastAttn = GetBool("reorder_and_upcast_attn", false);
                break;

            case "gpt_neox":
                KvHeads = Heads;
                HeadDim = DividedHeadDim("hidden_size", "num_attention_heads");
                IntermediateSize = Positive("intermediate_size");
                NormEps = PositiveDouble("layer_norm_eps");
                Activation = GetOptionalString("hidden_act") ?? "gelu";
                TieWordEmbeddings = GetBool("tie_word_embeddings", false);
                CheckNoRopeScaling();
                // transformers >= 4.5x moved rotary settings into rope_parameters / renamed them; accept both spellings.
                RopeTheta = RopeParameter("rope_theta") ?? GetOptionalDouble("rope_theta") ?? GetOptionalDouble("rotary_emb_base") ?? 10000.0;
                RotaryPct = RopeParameter("partial_rotary_factor") ?? GetOptionalDouble("partial_rotary_factor") ?? GetOptionalDouble("rotary_pct") ?? 0.25;
                if (RotaryPct is not (> 0 and <= 1))
                    throw InvalidInputException.For(Path, "rotary_pct", $"{RotaryPct} is not in (0, 1]");
                UseParallelResidual = GetBool("use_parallel_residual", true);
                break;

            default: // llama, mistral, gemma, gemma2
                KvHeads = Positive("num_key_value_heads", GetOptionalInt("num_key_value_heads") ?? Heads);
                if (Heads % KvHeads != 0)
                    throw InvalidInputException.For(Path, "num_key_value_heads", $"{KvHeads} does not divide num_attention_heads {Heads}");
                HeadDim = GetOptionalInt("head_dim") is { } headDim
                    ? Positive("head_dim", headDim)
                    : DividedHeadDim("hidden_size", "num_attention_heads");
                IntermediateSize = Positive("intermediate_size");
                NormEps = PositiveDouble("rms_norm_eps");
                CheckNoRopeScaling();
                RopeTheta = RopeParameter("rope_theta") ?? GetOptionalDouble("rope_theta") ?? 10000.0;
                var gemma = ModelType is "gemma" or "gemma2";
                // HF's Gemma ignores hidden_act (old checkpoints say "gelu") and uses hidden_activation, default tanh GELU.
                Activation = gemma ? GetOptionalString("hidden_activation") ?? "gelu_pytorch_tanh" : GetOptionalString("hidden_act") ?? "silu";
                TieWordEmbeddings = GetBool("tie_word_embeddings", gemma);
                if (ModelType is "mistral" or "gemma2")
                    SlidingWindow = Has("sliding_window") ? GetOptionalInt("sliding_window") : 4096;
                if (ModelType == "gemma2")
                {
                    AttnLogitSoftcapping = Has("attn_logit_softcapping") ? GetOptionalDouble("attn_logit_softcapping") : 50.0;
                    FinalLogitSoftcapping = Has("final_logit_softcapping") ? GetOptionalDouble("final_logit_softcapping") : 30.0;
                    QueryPreAttnScalar = GetOptionalDouble("query_pre_attn_scalar") ?? 256.0;
                }
                break;
        }
        if (SlidingWindow is { } window) Positive("sliding_window", window);
    }

    /// <summary>Full path of the config.json.</summary>
    public string Path { get; }

    /// <summary><c>model_type</c>, one of <see cref="SupportedModelTypes"/>.</summary>
    public string ModelType { get; }

    /// <summary><c>architectures</c> (empty when absent).</summary>
    public IReadOnlyList<string> Architectures { get; }

    /// <summary>The first <c>architectures</c> entry, e.g. "GPT2LMHeadModel"; null when absent.</summary>
    public string? Architecture => Architectures.Count > 0 ? Architectures[0] : null;

    /// <summary>Residual width: <c>n_embd</c> (gpt2) / <c>hidden_size</c>.</summary>
    public int HiddenSize { get; }

    /// <summary><c>n_layer</c> / <c>num_hidden_layers</c>.</summary>
    public int Layers { get; }

    /// <summary>Query heads: <c>n_head</c> / <c>num_attention_heads</c>.</summary>
    public int Heads { get; }

    /// <summary>Key/value heads: <c>num_key_value_heads</c> (default <see cref="Heads"/>; always Heads for gpt2, gpt_neox).</summary>
    public int KvHeads { get; }

    /// <summary><c>head_dim</c> where the config has one (Gemma's differs from hidden/heads), else hidden/heads.</summary>
    public int HeadDim { get; }

    /// <summary>MLP width: <c>n_inner</c> (null → 4·n_embd) / <c>intermediate_size</c>.</summary>
    public int IntermediateSize { get; }

    public int VocabSize { get; }

    /// <summary><c>n_positions</c> / <c>max_position_embeddings</c>.</summary>
    public int MaxPositions { get; }

    /// <summary><c>layer_norm_epsilon</c> (gpt2) / <c>layer_norm_eps</c> (gpt_neox) / <c>rms_norm_eps</c>.</summary>
    public double NormEps { get; }

    /// <summary>Whether the unembedding is the token embedding (HF default per model type when absent).</summary>
    public bool TieWordEmbeddings { get; }

    /// <summary>MLP activation: <c>activation_function</c> (gpt2, default gelu_new), <c>hidden_act</c> (llama/mistral
    /// default silu, gpt_neox default gelu), <c>hidden_activation</c> (gemma/gemma2, default gelu_pytorch_tanh).</summary>
    public string Activation { get; }

    public int? BosTokenId { get; }

    public int? EosTokenId { get; }

    public int? PadTokenId { get; }

    /// <summary><c>torch_dtype</c> (or newer transformers' <c>dtype</c>), e.g. "bfloat16"; null when absent.</summary>
    public string? TorchDType { get; }

    /// <summary>RoPE base: <c>rope_theta</c> / gpt_neox <c>rotary_emb_base</c> (default 10000); null for gpt2 (learned positions).</summary>
    public double? RopeTheta { get; }

    /// <summary>gpt_neox <c>rotary_pct</c>: the fraction of each head rotated (default 0.25); null for other types.</summary>
    public double? RotaryPct { get; }

    /// <summary>mistral/gemma2 <c>sliding_window</c> (HF default 4096 when absent; null = full attention); null for other types.</summary>
    public int? SlidingWindow { get; }

    /// <summary>gemma2 <c>attn_logit_softcapping</c> (default 50; null = off); null for other types.</summary>
    public double? AttnLogitSoftcapping { get; }

    /// <summary>gemma2 <c>final_logit_softcapping</c> (default 30; null = off); null for other types.</summary>
    public double? FinalLogitSoftcapping { get; }

    /// <summary>gemma2 <c>query_pre_attn_scalar</c>: scores are scaled by its inverse square root (default 256); null for other types.</summary>
    public double? QueryPreAttnScalar { get; }

    /// <summary>gpt_neox <c>use_parallel_residual</c> (default true); false for other types.</summary>
    public bool UseParallelResidual { get; }

    /// <summary>gpt2 <c>scale_attn_weights</c> (default true); false for other types.</summary>
    public bool ScaleAttnWeights { get; }

    /// <summary>gpt2 <c>scale_attn_by_inverse_layer_idx</c> (default false).</summary>
    public bool ScaleAttnByInverseLayerIdx { get; }

    /// <summary>gpt2 <c>reorder_and_upcast_attn</c> (default false).</summary>
    public bool ReorderAndUpcastAttn { get; }

    /// <summary>Reads <paramref name="configJsonPath"/> (or <c>config.json</c> inside it, when it is a folder).</summary>
    public static ModelConfig Load(string configJsonPath)
    {
        var path = System.IO.Path.GetFullPath(configJsonPath);
        if (Directory.Exists(path)) path = System.IO.Path.Combine(path, "config.json");
        if (!File.Exists(path)) throw InvalidInputException.For(path, null, "config.json not found");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw InvalidInputException.For(path, null, $"is not valid JSON ({e.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw InvalidInputException.For(path, null, $"is a JSON {SafetensorsHeader.Describe(document.RootElement)}, expected an object");
            return new ModelConfig(path, document.RootElement.Clone());
        }
    }

    /// <summary>True when the field is present (even if null).</summary>
    public bool Has(string field) => _root.TryGetProperty(field, out _);

    /// <summary>A required integer field.</summary>
    public int GetInt(string field) => GetOptionalInt(field) ?? throw Missing(field, "an integer");

    /// <summary>An integer field; null when absent or null.</summary>
    public int? GetOptionalInt(string field)
    {
        if (!TryGet(field, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt32(out var i)) return i;
            // Python may write an integral setting as 24.0.
            if (value.TryGetDouble(out var d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue) return (int)d;
        }
        throw WrongType(field, value, "an integer");
    }

    /// <summary>A required number field.</summary>
    public double GetDouble(string field) => GetOptionalDouble(field) ?? throw Missing(field, "a number");

    /// <summary>A number field; null when absent or null.</summary>
    public double? GetOptionalDouble(string field)
    {
        if (!TryGet(field, out var value)) return null;
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) ? d : throw WrongType(field, value, "a number");
    }

    /// <summary>A string field; null when absent or null.</summary>
    public string? GetOptionalString(string field)
    {
        if (!TryGet(field, out var value)) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw WrongType(field, value, "a string");
    }

    /// <summary>A boolean field; <paramref name="defaultValue"/> when absent or null.</summary>
    public bool GetBool(string field, bool defaultValue)
    {
        if (!TryGet(field, out var value)) return defaultValue;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(field, value, "true or false"),
        };
    }

    public override string ToString() =>
        $"{ModelType} {Architecture}: {Layers} layers, d={HiddenSize}, {Heads} heads ({KvHeads} kv, head_dim {HeadDim}), " +
        $"mlp {IntermediateSize}, vocab {VocabSize}";

    private bool TryGet(string field, out JsonElement value) =>
        _root.TryGetProperty(field, out value) && value.ValueKind != JsonValueKind.Null;

    private string RequiredModelType()
    {
        var supported = string.Join(", ", SupportedModelTypes);
        var modelType = GetOptionalString("model_type") ?? throw Missing("model_type", $"one of {supported}");
        return SupportedModelTypes.Contains(modelType)
            ? modelType
            : throw InvalidInputException.For(Path, "model_type", $"\"{modelType}\" is not supported (supported: {supported})");
    }

    private string[] ReadArchitectures()
    {
        if (!TryGet("architectures", out var value)) return [];
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.String))
            throw WrongType("architectures", value, "a list of strings");
        return value.EnumerateArray().Select(a => a.GetString()!).ToArray();
    }

    /// <summary>Token ids are an int, null, or (in some HF configs) a list whose first entry is used.</summary>
    private int? TokenId(string field)
    {
        if (!TryGet(field, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Array) return GetOptionalInt(field);
        if (value.GetArrayLength() == 0) return null;
        var first = value[0];
        return first.ValueKind == JsonValueKind.Number && first.TryGetInt32(out var id) ? id : throw WrongType(field, value, "an integer or a list of integers");
    }

    private int Positive(string field) => Positive(field, GetInt(field));

    private int Positive(string field, int value) =>
        value > 0 ? value : throw InvalidInputException.For(Path, field, $"is {value}, expected a positive integer");

    private double PositiveDouble(string field)
    {
        var value = GetDouble(field);
        return value > 0 ? value : throw InvalidInputException.For(Path, field, $"is {value}, expected a positive number");
    }

    private int DividedHeadDim(string hiddenField, string headsField) =>
        HiddenSize % Heads == 0
            ? HiddenSize / Heads
            : throw InvalidInputException.For(Path, headsField, $"{Heads} does not divide {hiddenField} {HiddenSize}");

    /// <summary>Scaled RoPE variants (linear, dynamic, yarn, llama3, ...) change every position's rotation; they
    /// are refused rather than silently run as plain RoPE.</summary>
    private void CheckNoRopeScaling()
    {
        foreach (var field in new[] { "rope_scaling", "rope_parameters" })
        {
            if (!TryGet(field, out var value)) continue;
            if (value.ValueKind != JsonValueKind.Object) throw WrongType(field, value, "an object or null");
            var type = (value.TryGetProperty("rope_type", out var t) || value.TryGetProperty("type", out t)) && t.ValueKind == JsonValueKind.String
                ? t.GetString()
                : null;
            // rope_parameters also carries plain RoPE's theta, so it may omit the type; rope_scaling exists only to scale.
            var isDefault = type == "default" || (type is null && field == "rope_parameters");
            if (!isDefault)
                throw InvalidInputException.For(Path, field, $"{Shorten(value.GetRawText())} is not supported (only plain RoPE: null or rope_type \"default\")");
        }
    }

    /// <summary>A number inside newer transformers' <c>rope_parameters</c> object.</summary>
    private double? RopeParameter(string key)
    {
        if (!TryGet("rope_parameters", out var parameters) || !parameters.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw WrongType($"rope_parameters.{key}", value, "a number");
    }

    private InvalidInputException Missing(string field, string expected) =>
        InvalidInputException.For(Path, field, $"missing (expected {expected})");

    private InvalidInputException WrongType(string field, JsonElement value, string expected) =>
        InvalidInputException.For(Path, field, $"is {Shorten(value.GetRawText())} ({SafetensorsHeader.Describe(value)}), expected {expected}");

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
