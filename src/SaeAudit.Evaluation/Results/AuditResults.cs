using System.Text.Json.Serialization;
using SaeAudit.Evaluation.Metrics;

namespace SaeAudit.Evaluation.Results;

/// <summary>The one canonical results file of a run (SPEC §9, §11). Every report renders from this object alone.</summary>
public sealed record AuditResults(
    [property: JsonPropertyName("schema_version")] int SchemaVersion,
    [property: JsonPropertyName("tool")] ToolInfo Tool,
    [property: JsonPropertyName("passed")] bool Passed,
    [property: JsonPropertyName("pairs")] IReadOnlyList<PairResult> Pairs,
    [property: JsonPropertyName("provenance")] Provenance Provenance)
{
    public const int CurrentSchemaVersion = 1;
}

public sealed record ToolInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version);

/// <summary>SPEC §11 <c>pairs[i]</c>.</summary>
public sealed record PairResult(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("tokens")] TokensResult Tokens,
    [property: JsonPropertyName("activations")] ActivationsResult Activations,
    [property: JsonPropertyName("base")] ModelResult Base,
    [property: JsonPropertyName("finetune")] ModelResult Finetune,
    [property: JsonPropertyName("densities")] DensitiesResult Densities,
    [property: JsonPropertyName("transfer")] TransferResult Transfer,
    [property: JsonPropertyName("weights")] WeightsResult Weights,
    [property: JsonPropertyName("gates")] IReadOnlyList<GateResult> Gates)
{
    [JsonIgnore]
    public bool Passed => Gates.All(g => g.Passed);
}

/// <summary>SPEC §11 <c>base</c> / <c>finetune</c>: SAE metrics (§4) and spliced losses (§5) of one model.</summary>
public sealed record ModelResult(
    [property: JsonPropertyName("sae")] SaeResult Sae,
    [property: JsonPropertyName("ce")] CeResult Ce,
    [property: JsonPropertyName("kl")] KlResult Kl);

/// <summary>One evaluated gate. <see cref="Value"/> is null when the metric is NaN/null, which fails the gate.</summary>
public sealed record GateResult(
    [property: JsonPropertyName("metric")] string Metric,
    [property: JsonPropertyName("min")] double? Min,
    [property: JsonPropertyName("max")] double? Max,
    [property: JsonPropertyName("value")] double? Value,
    [property: JsonPropertyName("passed")] bool Passed);
