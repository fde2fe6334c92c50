using SaeAudit.Evaluation.Sampling;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SaeAudit.Models;

namespace SaeAudit.Evaluation.Manifests;

/// <summary>One audit unit (SPEC §1), fully resolved: defaults applied, paths absolute (or <c>hf:</c> references
/// kept as written), every value validated.</summary>
public sealed record PairSpec
{
    public const int DefaultContextSize = 128;
    public const int DefaultBatchSize = 16;

    public required string Name { get; init; }

    /// <summary>The base model B the SAE was trained on.</summary>
    public required string Base { get; init; }

    public required string Finetune { get; init; }

    public required string Sae { get; init; }

    /// <summary>Null: use the SAE's cfg.json <c>hook_name</c> (resolved by the SAE loader).</summary>
    public HookPoint? Hook { get; init; }

    public required DatasetSpec Dataset { get; init; }

    public int ContextSize { get; init; } = DefaultContextSize;

    public required long NTokens { get; init; }

    public int BatchSize { get; init; } = DefaultBatchSize;

    public ulong Seed { get; init; }

    /// <summary>Null: the SAE cfg's <c>prepend_bos</c>, else true (SPEC §1).</summary>
    public bool? PrependBos { get; init; }

    public OutlierSpec Outliers { get; init; } = OutlierSpec.None;

    public TransferSpec Transfer { get; init; } = TransferSpec.Default;

    /// <summary>The defaults' gates first, then the pair's own.</summary>
    public IReadOnlyList<GateSpec> Gates { get; init; } = [];

    /// <summary>This pair as a manifest pair object in canonical form (keys sorted, no whitespace, defaults applied,
    /// unset optional fields left out), for the results' provenance. The output loads back as a pair.</summary>
    /// <param name="pathsRelativeTo">Write local paths relative to this folder with '/' separators (the manifest's
    /// folder makes the form independent of where the checkout lives); null writes them absolute.</param>
    public string ToCanonicalJson(string? pathsRelativeTo = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = CreateCanonicalWriter(buffer)) WriteCanonical(writer, pathsRelativeTo);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>One line for <c>saeaudit validate</c>.</summary>
    public string Describe()
    {
        var dataset = Dataset.Kind == DatasetFormat.Jsonl ? $"{Dataset.Path} (field \"{Dataset.Field}\")" : Dataset.Path;
        var order = Dataset.Shuffle ? $"shuffled, seed {Seed}" : $"file order, seed {Seed}";
        var hook = Hook?.ToString() ?? "the SAE's hook";
        var bos = PrependBos switch { null => "the SAE's", true => "yes", false => "no" };
        var gates = Gates.Count == 0 ? "no gates" : "gates " + string.Join(", ", Gates);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Name}: base {Base} -> finetune {Finetune}; SAE {Sae} at {hook}; dataset {dataset}, {order}; " +
            $"{NTokens} tokens, context {ContextSize}, batch {BatchSize}, BOS {bos}; outliers {Outliers}; " +
            $"transfer {Transfer.Features} features, dead cap {Transfer.DeadCap}, density [{Transfer.DensityLow:R}, {Transfer.DensityHigh:R}]; {gates}");
    }

    internal static Utf8JsonWriter CreateCanonicalWriter(Stream stream) =>
        // The relaxed encoder keeps non-ASCII path characters readable; the form is deterministic either way.
        new(stream, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>Writes the canonical pair object. Keys are written in ordinal order by hand (a test checks it), and
    /// doubles in .NET's shortest round-trip form, so equal values always give equal bytes (1e-05 == 0.00001).</summary>
    internal void WriteCanonical(Utf8JsonWriter writer, string? pathsRelativeTo)
    {
        writer.WriteStartObject();
        writer.WriteString(ManifestFields.Base, PortablePath(Base, pathsRelativeTo));
        writer.WriteNumber(ManifestFields.BatchSize, BatchSize);
        writer.WriteNumber(ManifestFields.ContextSize, ContextSize);
        writer.WriteStartObject(ManifestFields.Dataset);
        if (Dataset.Field is not null) writer.WriteString(ManifestFields.Field, Dataset.Field);
        writer.WriteString(ManifestFields.Path, PortablePath(Dataset.Path, pathsRelativeTo));
        writer.WriteBoolean(ManifestFields.Shuffle, Dataset.Shuffle);
        writer.WriteEndObject();
        writer.WriteString(ManifestFields.Finetune, PortablePath(Finetune, pathsRelativeTo));
        writer.WriteStartArray(ManifestFields.Gates);
        foreach (var gate in Gates)
        {
            writer.WriteStartObject();
            if (gate.Max is { } max) writer.WriteNumber(ManifestFields.Max, max);
            writer.WriteString(ManifestFields.Metric, gate.Metric);
            if (gate.Min is { } min) writer.WriteNumber(ManifestFields.Min, min);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        if (Hook is { } hook) writer.WriteString(ManifestFields.Hook, hook.ToString());
        writer.WriteNumber(ManifestFields.NTokens, NTokens);
        writer.WriteString(ManifestFields.Name, Name);
        writer.WriteStartObject(ManifestFields.Outliers);
        writer.WriteNumber(ManifestFields.CalibrationRows, Outliers.CalibrationRows);
        if (Outliers.K is { } k) writer.WriteNumber(ManifestFields.K, k);
        writer.WriteString(ManifestFields.Mode, OutlierSpec.NameOf(Outliers.Mode));
        if (Outliers.Value is { } value) writer.WriteNumber(ManifestFields.Value, value);
        writer.WriteEndObject();
        if (PrependBos is { } prependBos) writer.WriteBoolean(ManifestFields.PrependBos, prependBos);
        writer.WriteString(ManifestFields.Sae, PortablePath(Sae, pathsRelativeTo));
        writer.WriteNumber(ManifestFields.Seed, Seed);
        writer.WriteStartObject(ManifestFields.Transfer);
        writer.WriteNumber(ManifestFields.DeadCap, Transfer.DeadCap);
        writer.WriteStartArray(ManifestFields.DensityRange);
        writer.WriteNumberValue(Transfer.DensityLow);
        writer.WriteNumberValue(Transfer.DensityHigh);
        writer.WriteEndArray();
        writer.WriteNumber(ManifestFields.Features, Transfer.Features);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static string PortablePath(string path, string? relativeTo) =>
        relativeTo is null || ManifestLoader.IsHubReference(path)
            ? path
            : System.IO.Path.GetRelativePath(relativeTo, path).Replace('\\', '/');
}
