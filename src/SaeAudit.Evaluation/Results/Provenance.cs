using System.Text.Json.Serialization;

namespace SaeAudit.Evaluation.Results;

/// <summary>What makes every number reproducible (SPEC §9). Everything here but <see cref="Run"/> is a function of
/// the inputs, the tool and the machine; <see cref="Run"/> holds what changes from run to run (threads, clock), so
/// the file is byte-identical across thread counts once <c>provenance.run</c> is set aside.</summary>
public sealed record Provenance(
    [property: JsonPropertyName("manifest")] ManifestProvenance Manifest,
    [property: JsonPropertyName("environment")] EnvironmentInfo Environment,
    [property: JsonPropertyName("pairs")] IReadOnlyList<PairProvenance> Pairs,
    [property: JsonPropertyName("run")] RunInfo Run);

public sealed record ManifestProvenance(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("canonical_hash")] string CanonicalHash);

/// <summary>The BenchmarkDotNet-style environment block.</summary>
public sealed record EnvironmentInfo(
    [property: JsonPropertyName("tool_version")] string ToolVersion,
    [property: JsonPropertyName("runtime")] string Runtime,
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("cpu")] string Cpu,
    [property: JsonPropertyName("architecture")] string Architecture,
    [property: JsonPropertyName("simd")] string Simd,
    [property: JsonPropertyName("compute_backend")] string ComputeBackend);

/// <summary>Inputs of one pair: resolved parameters and the SHA-256 of every file read; for inputs given as
/// <c>hf:</c> references, the commit each resolved to (<see cref="Hub"/>, keyed "base", "finetune", "sae"; absent when
/// every input is a local path).</summary>
public sealed record PairProvenance(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("parameters")] PairParameters Parameters,
    [property: JsonPropertyName("inputs_sha256")] IReadOnlyDictionary<string, string> InputsSha256,
    [property: JsonPropertyName("extras")] PairExtras Extras,
    [property: JsonPropertyName("hub"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyDictionary<string, HubProvenance>? Hub = null);

/// <summary>Where an <c>hf:</c> input came from: the repository, the revision asked for, the commit it resolved to
/// (a branch moves, a commit does not) and the folder inside the repository (null for its root).</summary>
public sealed record HubProvenance(
    [property: JsonPropertyName("repo")] string Repo,
    [property: JsonPropertyName("revision")] string Revision,
    [property: JsonPropertyName("commit")] string Commit,
    [property: JsonPropertyName("subfolder")] string? Subfolder);

public sealed record PairParameters(
    [property: JsonPropertyName("base")] string Base,
    [property: JsonPropertyName("finetune")] string Finetune,
    [property: JsonPropertyName("sae")] string Sae,
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("field")] string? Field,
    [property: JsonPropertyName("shuffle")] bool Shuffle,
    [property: JsonPropertyName("hook")] string Hook,
    [property: JsonPropertyName("context")] int Context,
    [property: JsonPropertyName("n_tokens")] long NTokens,
    [property: JsonPropertyName("batch_size")] int BatchSize,
    [property: JsonPropertyName("seed")] ulong Seed,
    [property: JsonPropertyName("prepend_bos")] bool PrependBos,
    [property: JsonPropertyName("outliers")] string Outliers,
    [property: JsonPropertyName("calibration_rows")] int CalibrationRows,
    [property: JsonPropertyName("features")] int Features,
    [property: JsonPropertyName("dead_cap")] int DeadCap,
    [property: JsonPropertyName("density_range")] double[] DensityRange,
    [property: JsonPropertyName("special_ids")] IReadOnlyList<int> SpecialIds,
    [property: JsonPropertyName("model_dtypes")] IReadOnlyDictionary<string, IReadOnlyList<string>> ModelDTypes,
    [property: JsonPropertyName("sae_architecture")] string SaeArchitecture,
    [property: JsonPropertyName("d_sae")] int DSae);

/// <summary>Facts behind the numbers that the reference implementation also reports (its <c>extras</c>).</summary>
public sealed record PairExtras(
    [property: JsonPropertyName("rows_available")] int RowsAvailable,
    [property: JsonPropertyName("selected_rows_first")] IReadOnlyList<int> SelectedRowsFirst,
    [property: JsonPropertyName("selected_rows_sha256")] string SelectedRowsSha256,
    [property: JsonPropertyName("calibration_tokens")] int CalibrationTokens,
    [property: JsonPropertyName("calibration_median_norm_base")] double CalibrationMedianNormBase,
    [property: JsonPropertyName("loss_positions")] long LossPositions,
    [property: JsonPropertyName("regular_candidates")] int RegularCandidates,
    [property: JsonPropertyName("sampled_features")] IReadOnlyList<int> SampledFeatures,
    [property: JsonPropertyName("dead_sampled_born")] IReadOnlyList<int> DeadSampledBorn,
    [property: JsonPropertyName("dead_sampled_died")] IReadOnlyList<int> DeadSampledDied);

/// <summary>What differs between runs of the same inputs.</summary>
public sealed record RunInfo(
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("started_utc")] string StartedUtc,
    [property: JsonPropertyName("wall_seconds")] double WallSeconds,
    [property: JsonPropertyName("tokens_per_second")] double TokensPerSecond,
    [property: JsonPropertyName("peak_memory_bytes")] long PeakMemoryBytes);
