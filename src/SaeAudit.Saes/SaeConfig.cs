using System.Text.Json;
using SaeAudit.Models;

namespace SaeAudit.Saes;

/// <summary>An SAE's <c>cfg.json</c> in SAELens layout. Both layouts are read: the classic one (every field at the
/// top level, top-k spelled <c>activation_fn_str: "topk"</c> with <c>activation_fn_kwargs.k</c>) and SAELens ≥ 6
/// (<c>architecture</c> names the kind, <c>k</c> at the top level, and model_name / hook_name / context_size /
/// prepend_bos moved under <c>metadata</c>). Every problem is an <see cref="InvalidInputException"/> naming the file
/// and the field.</summary>
public sealed record SaeConfig
{
    public const string FileName = "cfg.json";

    /// <summary>Full path of the cfg.json this was read from.</summary>
    public required string Path { get; init; }

    public required SaeArchitecture Architecture { get; init; }

    /// <summary>Features kept per token, for <see cref="SaeArchitecture.TopK"/>; null otherwise.</summary>
    public int? K { get; init; }

    /// <summary>The hook as spelled in the file (TransformerLens naming).</summary>
    public required string HookName { get; init; }

    public required HookPoint Hook { get; init; }

    public required int DIn { get; init; }

    public required int DSae { get; init; }

    /// <summary>The dtype the SAE was saved in ("float32", "bfloat16", ...); weights are widened to float32 anyway.</summary>
    public required string DType { get; init; }

    public required bool ApplyBDecToInput { get; init; }

    /// <summary>Whether the SAE was trained on rows starting with BOS (SPEC §1: true when the file does not say).</summary>
    public required bool PrependBos { get; init; }

    public int? ContextSize { get; init; }

    public string? ModelName { get; init; }

    /// <summary>Reads and validates <paramref name="path"/> (a cfg.json file).</summary>
    public static SaeConfig Load(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(path)) throw InvalidInputException.For(path, null, "SAE config file not found");
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses cfg.json content; <paramref name="path"/> is only used in error messages.</summary>
    public static SaeConfig Parse(ReadOnlyMemory<byte> json, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw InvalidInputException.For(path, null, $"is not valid JSON ({e.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw InvalidInputException.For(path, null, "expected a JSON object");
            return new Reader(path, document.RootElement).Read();
        }
    }

    /// <summary>Field access with the file named in every error.</summary>
    private sealed class Reader(string path, JsonElement root)
    {
        public SaeConfig Read()
        {
            var normalize = OptionalString("normalize_activations");
            if (normalize is not null && normalize != "none")
                throw Error("normalize_activations",
                    $"\"{normalize}\" is not supported (SPEC §4: only \"none\" until activation normalization is implemented)");
            var reshape = OptionalString("reshape_activations");
            if (reshape is not null && reshape != "none")
                throw Error("reshape_activations", $"\"{reshape}\" is not supported (only \"none\")");
            if (Find("finetuning_scaling_factor") is { } scaling && scaling.Value.ValueKind == JsonValueKind.True)
                throw Error(scaling.Name, "true is not supported (the SAE would scale its features by a learned vector)");
            if (Find("rescale_acts_by_decoder_norm") is { } rescale && rescale.Value.ValueKind == JsonValueKind.True)
                throw Error(rescale.Name, "true is not supported");
            if (Find("hook_head_index") is { } head && head.Value.ValueKind != JsonValueKind.Null)
                throw Error(head.Name, "per-head SAEs are not supported (expected null)");

            var dIn = RequiredPositiveInt("d_in");
            var dSae = RequiredPositiveInt("d_sae");
            var (architecture, k) = ReadArchitecture(dSae);
            var (hookName, hook) = ReadHook();

            return new SaeConfig
            {
                Path = path,
                Architecture = architecture,
                K = k,
                HookName = hookName,
                Hook = hook,
                DIn = dIn,
                DSae = dSae,
                DType = OptionalString("dtype") ?? "float32",
                // SAELens's default when the field is absent.
                ApplyBDecToInput = OptionalBool("apply_b_dec_to_input") ?? true,
                PrependBos = OptionalBool("prepend_bos") ?? true,
                ContextSize = OptionalPositiveInt("context_size"),
                ModelName = OptionalString("model_name"),
            };
        }

        private (SaeArchitecture, int?) ReadArchitecture(int dSae)
        {
            // Configs older than the architecture field are standard SAEs.
            var name = OptionalString("architecture") ?? "standard";
            var activation = OptionalString("activation_fn_str");
            SaeArchitecture architecture;
            switch (name)
            {
                case "standard" when activation is null or "relu":
                    architecture = SaeArchitecture.Standard;
                    break;
                // Classic SAELens saved top-k SAEs as "standard" with a topk activation function.
                case "standard" when activation == "topk":
                case "topk":
                    architecture = SaeArchitecture.TopK;
                    break;
                case "standard":
                    throw Error("activation_fn_str", $"\"{activation}\" is not supported (expected \"relu\" or \"topk\")");
                case "jumprelu":
                    architecture = SaeArchitecture.JumpRelu;
                    break;
                default:
                    throw Error("architecture", $"\"{name}\" is not supported (expected standard, topk or jumprelu)");
            }
            if (architecture != SaeArchitecture.TopK) return (architecture, null);

            var k = ReadTopK();
            if (k > dSae) throw Error(KField(), $"k = {k} exceeds d_sae = {dSae}");
            return (architecture, k);
        }

        private int ReadTopK()
        {
            if (Find("k") is { } top && top.Value.ValueKind != JsonValueKind.Null) return PositiveInt(top);
            if (root.TryGetProperty("activation_fn_kwargs", out var kwargs) && kwargs.ValueKind == JsonValueKind.Object
                && kwargs.TryGetProperty("k", out var nested))
                return PositiveInt(new Field("activation_fn_kwargs.k", nested));
            throw Error("k", "missing: a topk SAE needs k (top-level k or activation_fn_kwargs.k)");
        }

        private string KField() => Find("k") is { } top && top.Value.ValueKind != JsonValueKind.Null ? top.Name : "activation_fn_kwargs.k";

        private (string, HookPoint) ReadHook()
        {
            var field = Find("hook_name") ?? throw Error("hook_name", "missing");
            var name = String(field);
            if (!HookPoint.TryParse(name, out var hook))
                throw Error(field.Name,
                    $"\"{name}\" is not a supported hook (expected blocks.<L>.hook_resid_pre, hook_resid_post, hook_attn_out or hook_mlp_out)");
            if (Find("hook_layer") is { } layerField && layerField.Value.ValueKind != JsonValueKind.Null)
            {
                var layer = Int(layerField);
                if (layer != hook.Layer)
                    throw Error(layerField.Name, $"{layer} disagrees with hook_name \"{name}\" (layer {hook.Layer})");
            }
            return (name, hook);
        }

        /// <summary>A field at the top level, else under <c>metadata</c> (SAELens ≥ 6); null when in neither.</summary>
        private Field? Find(string name)
        {
            if (root.TryGetProperty(name, out var value)) return new Field(name, value);
            if (root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                && metadata.TryGetProperty(name, out value))
                return new Field("metadata." + name, value);
            return null;
        }

        private int RequiredPositiveInt(string name) => PositiveInt(Find(name) ?? throw Error(name, "missing"));

        private int? OptionalPositiveInt(string name) =>
            Find(name) is { } field && field.Value.ValueKind != JsonValueKind.Null ? PositiveInt(field) : null;

        private string? OptionalString(string name) =>
            Find(name) is { } field && field.Value.ValueKind != JsonValueKind.Null ? String(field) : null;

        private bool? OptionalBool(string name)
        {
            if (Find(name) is not { } field || field.Value.ValueKind == JsonValueKind.Null) return null;
            return field.Value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Error(field.Name, $"expected true or false, got {field.Value.GetRawText()}"),
            };
        }

        private int PositiveInt(Field field)
        {
            var value = Int(field);
            return value > 0 ? value : throw Error(field.Name, $"must be positive, got {value}");
        }

        private int Int(Field field) =>
            field.Value.ValueKind == JsonValueKind.Number && field.Value.TryGetInt32(out var value)
                ? value
                : throw Error(field.Name, $"expected an integer, got {field.Value.GetRawText()}");

        private string String(Field field) =>
            field.Value.ValueKind == JsonValueKind.String
                ? field.Value.GetString()!
                : throw Error(field.Name, $"expected a string, got {field.Value.GetRawText()}");

        private InvalidInputException Error(string field, string problem) => InvalidInputException.For(path, field, problem);

        private sealed record Field(string Name, JsonElement Value);
    }
}
