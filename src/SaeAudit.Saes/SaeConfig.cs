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

    /// <summary>Where SAELens saves the <c>expected_average_only_in</c> scaling factor, beside cfg.json.</summary>
    public const string ActivationScalerFileName = "activation_scaler.json";

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

    /// <summary>cfg.json <c>normalize_activations</c> (<see cref="ActivationNormalization"/>).</summary>
    public ActivationNormalization NormalizeActivations { get; init; } = ActivationNormalization.None;

    /// <summary>The scaling factor s of <see cref="ActivationNormalization.ExpectedAverageOnlyIn"/>, from
    /// <c>activation_scaler.json</c> (set by <see cref="Load"/>); null for the other modes.</summary>
    public double? NormScalingFactor { get; init; }

    /// <summary>Whether the SAE was trained on rows starting with BOS (SPEC §1: true when the file does not say).</summary>
    public required bool PrependBos { get; init; }

    public int? ContextSize { get; init; }

    public string? ModelName { get; init; }

    /// <summary>Reads and validates <paramref name="path"/> (a cfg.json file) and, for
    /// <see cref="ActivationNormalization.ExpectedAverageOnlyIn"/>, the scaling factor in the
    /// <c>activation_scaler.json</c> beside it.</summary>
    public static SaeConfig Load(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(path)) throw InvalidInputException.For(path, null, "SAE config file not found");
        var config = Parse(File.ReadAllBytes(path), path);
        if (config.NormalizeActivations != ActivationNormalization.ExpectedAverageOnlyIn) return config;

        var scalerPath = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, ActivationScalerFileName);
        if (!File.Exists(scalerPath))
            throw InvalidInputException.For(path, "normalize_activations",
                $"\"expected_average_only_in\" is not supported without its scaling factor, and there is no {ActivationScalerFileName} "
                + "beside cfg.json (SAELens folds the factor into the weights when training ends and saves \"none\"; "
                + "for its pretrained releases the factor is norm_scaling_factor in pretrained_saes.yaml, not in the SAE's files)");
        return config with { NormScalingFactor = ReadScalingFactor(scalerPath) };
    }

    /// <summary>SAELens's <c>ActivationScaler.save</c> format: <c>{"scaling_factor": s}</c>.</summary>
    private static double ReadScalingFactor(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("scaling_factor", out var factor)
                && factor.ValueKind == JsonValueKind.Number && factor.GetDouble() is var s && double.IsFinite(s) && s > 0)
                return s;
            throw InvalidInputException.For(path, "scaling_factor",
                "expected a positive number (null means SAELens already folded the factor into the weights: then cfg.json should say \"none\")");
        }
        catch (JsonException e)
        {
            throw InvalidInputException.For(path, null, $"is not valid JSON ({e.Message})");
        }
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
                NormalizeActivations = ReadNormalization(),
                PrependBos = OptionalBool("prepend_bos") ?? true,
                ContextSize = OptionalPositiveInt("context_size"),
                ModelName = OptionalString("model_name"),
            };
        }

        private ActivationNormalization ReadNormalization()
        {
            if (Find("normalize_activations") is not { } field) return ActivationNormalization.None;
            switch (field.Value.ValueKind)
            {
                case JsonValueKind.Null:
                case JsonValueKind.False:
                    return ActivationNormalization.None;
                // SAELens < 6 saved a bool; handle_pre_6_0_config maps true to expected_average_only_in.
                case JsonValueKind.True:
                    return ActivationNormalization.ExpectedAverageOnlyIn;
            }
            var name = String(field);
            return name switch
            {
                "none" => ActivationNormalization.None,
                "expected_average_only_in" => ActivationNormalization.ExpectedAverageOnlyIn,
                "constant_norm_rescale" => ActivationNormalization.ConstantNormRescale,
                "layer_norm" => ActivationNormalization.LayerNorm,
                _ => throw Error(field.Name,
                    $"\"{name}\" is not supported (expected none, expected_average_only_in, constant_norm_rescale or layer_norm)"),
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
