namespace SaeAudit.Evaluation.Manifests;

/// <summary>The field names the loader accepts in each kind of manifest object. The loader rejects any other name,
/// and a test checks that <c>schemas/manifest.schema.json</c> declares exactly these, so this is the one list.</summary>
public static class ManifestFields
{
    internal const string SchemaKey = "$schema";
    internal const string SchemaVersion = "schema_version";
    internal const string Defaults = "defaults";
    internal const string Pairs = "pairs";

    internal const string Name = "name";
    internal const string Base = "base";
    internal const string Finetune = "finetune";
    internal const string Sae = "sae";
    internal const string Hook = "hook";
    internal const string Dataset = "dataset";
    internal const string ContextSize = "context_size";
    internal const string NTokens = "n_tokens";
    internal const string BatchSize = "batch_size";
    internal const string Seed = "seed";
    internal const string PrependBos = "prepend_bos";
    internal const string Outliers = "outliers";
    internal const string Transfer = "transfer";
    internal const string Gates = "gates";

    internal const string Path = "path";
    internal const string Field = "field";
    internal const string Shuffle = "shuffle";

    internal const string Mode = "mode";
    internal const string Value = "value";
    internal const string K = "k";
    internal const string CalibrationRows = "calibration_rows";

    internal const string Features = "features";
    internal const string DeadCap = "dead_cap";
    internal const string DensityRange = "density_range";

    internal const string Metric = "metric";
    internal const string Min = "min";
    internal const string Max = "max";

    /// <summary>The manifest object itself; <c>$schema</c> lets editors find the schema and is otherwise ignored.</summary>
    public static IReadOnlyList<string> ForManifest { get; } = [SchemaKey, SchemaVersion, Defaults, Pairs];

    public static IReadOnlyList<string> ForPair { get; } =
        [Name, Base, Finetune, Sae, Hook, Dataset, ContextSize, NTokens, BatchSize, Seed, PrependBos, Outliers, Transfer, Gates];

    /// <summary>Every pair field but the name, which each pair must give itself.</summary>
    public static IReadOnlyList<string> ForDefaults { get; } = ForPair.Where(field => field != Name).ToArray();

    public static IReadOnlyList<string> ForDataset { get; } = [Path, Field, Shuffle];

    public static IReadOnlyList<string> ForOutliers { get; } = [Mode, Value, K, CalibrationRows];

    public static IReadOnlyList<string> ForTransfer { get; } = [Features, DeadCap, DensityRange];

    public static IReadOnlyList<string> ForGate { get; } = [Metric, Min, Max];
}
