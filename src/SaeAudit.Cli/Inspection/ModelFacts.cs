using System.Text.Encodings.Web;
using System.Text.Json;
using SaeAudit.Models;
using SaeAudit.Models.Checkpoints;

namespace SaeAudit.Cli.Inspection;

/// <summary>What a model folder declares, from config.json and the safetensors headers only (no weights are read,
/// nothing is run). <see cref="Rows"/> and <see cref="WriteJson"/> present the same facts in the same order.</summary>
internal sealed record ModelFacts(
    string Directory,
    string Architecture,
    string ModelType,
    long Parameters,
    IReadOnlyDictionary<string, long> ParametersByDType,
    string? TorchDType,
    int Layers,
    int DModel,
    int Heads,
    int VocabSize,
    int MaxPositions,
    bool HasTokenizer,
    IReadOnlyList<string> CheckpointFiles,
    int TensorCount)
{
    public const string TokenizerFileName = "tokenizer.json";

    public IReadOnlyList<HookPoint> Hooks => HookPoint.All(Layers);

    public static ModelFacts Read(string modelDirectory)
    {
        var directory = Path.GetFullPath(modelDirectory);
        var config = ModelConfig.Load(Path.Combine(directory, "config.json"));
        // The same rule as ModelLoader.Load: a folder inspect accepts is one trace and run can load.
        var architecture = ModelLoader.RequireSupported(config);
        using var checkpoint = Checkpoint.Open(directory);
        return new ModelFacts(
            directory,
            architecture,
            config.ModelType,
            checkpoint.ParameterCount,
            checkpoint.ParameterCountByDType,
            config.TorchDType,
            config.Layers,
            config.HiddenSize,
            config.Heads,
            config.VocabSize,
            config.MaxPositions,
            File.Exists(Path.Combine(directory, TokenizerFileName)),
            checkpoint.Files.Select(f => Path.GetRelativePath(directory, f)).ToArray(),
            checkpoint.TensorNames.Count);
    }

    /// <summary>The hook names in one line: <c>blocks.{0..3}.hook_resid_pre|hook_attn_out|...</c>.</summary>
    public string CompactHooks
    {
        get
        {
            var kinds = Hooks.Where(h => h.Layer == 0).Select(h => h.ToString()["blocks.0.".Length..]);
            return $"blocks.{{0..{Layers - 1}}}.{string.Join('|', kinds)}";
        }
    }

    /// <summary>(field, value) pairs for the text table, keyed like the JSON.</summary>
    public IReadOnlyList<(string Field, string Value)> Rows() =>
    [
        ("model", Directory),
        ("architecture", Architecture),
        ("model_type", ModelType),
        ("parameters", $"{Parameters} ({string.Join(", ", ParametersByDType.Select(p => $"{p.Key}: {p.Value}"))})"),
        ("dtypes", string.Join(", ", ParametersByDType.Keys)),
        ("torch_dtype", TorchDType ?? "(not set)"),
        ("layers", Layers.ToString()),
        ("d_model", DModel.ToString()),
        ("heads", Heads.ToString()),
        ("vocab_size", VocabSize.ToString()),
        ("max_positions", MaxPositions.ToString()),
        ("tokenizer", HasTokenizer ? $"yes ({TokenizerFileName})" : "no"),
        ("checkpoint_files", $"{string.Join(", ", CheckpointFiles)} ({TensorCount} tensors)"),
        ("hooks", CompactHooks),
    ];

    public void WriteJson(Stream stream)
    {
        // Relaxed escaping keeps non-ASCII paths readable; the output is never embedded in HTML.
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Indented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        json.WriteStartObject();
        json.WriteString("model", Directory);
        json.WriteString("architecture", Architecture);
        json.WriteString("model_type", ModelType);
        json.WriteNumber("parameters", Parameters);
        json.WriteStartObject("parameters_by_dtype");
        foreach (var (dtype, count) in ParametersByDType) json.WriteNumber(dtype, count);
        json.WriteEndObject();
        json.WriteStartArray("dtypes");
        foreach (var dtype in ParametersByDType.Keys) json.WriteStringValue(dtype);
        json.WriteEndArray();
        if (TorchDType is null) json.WriteNull("torch_dtype");
        else json.WriteString("torch_dtype", TorchDType);
        json.WriteNumber("layers", Layers);
        json.WriteNumber("d_model", DModel);
        json.WriteNumber("heads", Heads);
        json.WriteNumber("vocab_size", VocabSize);
        json.WriteNumber("max_positions", MaxPositions);
        json.WriteBoolean("tokenizer", HasTokenizer);
        json.WriteStartArray("checkpoint_files");
        foreach (var file in CheckpointFiles) json.WriteStringValue(file);
        json.WriteEndArray();
        json.WriteNumber("tensors", TensorCount);
        json.WriteStartArray("hooks");
        foreach (var hook in Hooks) json.WriteStringValue(hook.ToString());
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
