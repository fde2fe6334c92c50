using System.Globalization;
using SaeAudit.Evaluation.Sampling;

namespace SaeAudit.Evaluation.Manifests;

/// <summary>The evaluation data of a pair.</summary>
/// <param name="Path">Absolute path, or a string starting with <c>hf:</c> kept as written for the hub loader.</param>
/// <param name="Field">The text field of a <c>.jsonl</c> file ("text" unless set); null for every other kind.</param>
/// <param name="Shuffle">Shuffle rows with the pair's seed (SPEC §2); false keeps file order.</param>
public sealed record DatasetSpec(string Path, DatasetFormat Kind, string? Field, bool Shuffle)
{
    public const string DefaultField = "text";
}

/// <summary>The outlier filter's mode (SPEC §3).</summary>
public enum OutlierMode
{
    None,
    Absolute,
    MeanMultiple,
    MedianMultiple,
}

/// <summary>The outlier filter (SPEC §3): <see cref="Value"/> is set exactly for <see cref="OutlierMode.Absolute"/>,
/// <see cref="K"/> exactly for the two multiple modes.</summary>
/// <param name="CalibrationRows">The first rows of the evaluated sample used for τ and the dist histogram range.</param>
public sealed record OutlierSpec(OutlierMode Mode, double? Value, double? K, int CalibrationRows)
{
    public const int DefaultCalibrationRows = 32;

    public static OutlierSpec None { get; } = new(OutlierMode.None, null, null, DefaultCalibrationRows);

    /// <summary>The manifest spelling of each mode, in declaration order.</summary>
    public static IReadOnlyList<string> ModeNames { get; } = ["none", "absolute", "mean_multiple", "median_multiple"];

    public static string NameOf(OutlierMode mode) => ModeNames[(int)mode];

    /// <summary>Parses a manifest spelling (exact, lowercase) into a mode.</summary>
    public static bool TryParseMode(string name, out OutlierMode mode)
    {
        for (var i = 0; i < ModeNames.Count; i++)
        {
            if (ModeNames[i] != name) continue;
            mode = (OutlierMode)i;
            return true;
        }
        mode = default;
        return false;
    }

    /// <summary>The reference tool's short form: <c>none</c>, <c>absolute:8.2</c>, <c>median_multiple:3</c>.</summary>
    public override string ToString() => Mode switch
    {
        OutlierMode.None => "none",
        OutlierMode.Absolute => $"absolute:{Value!.Value.ToString("R", CultureInfo.InvariantCulture)}",
        _ => $"{NameOf(Mode)}:{K!.Value.ToString("R", CultureInfo.InvariantCulture)}",
    };
}

/// <summary>The feature transfer test's sampling (SPEC §6).</summary>
/// <param name="Features">How many regular features to sample (all if fewer).</param>
/// <param name="DeadCap">How many exclusively dead features of each kind to sample.</param>
/// <param name="DensityLow">Lower end of the closed density range of a regular feature.</param>
/// <param name="DensityHigh">Upper end of that range.</param>
public sealed record TransferSpec(int Features, int DeadCap, double DensityLow, double DensityHigh)
{
    public static TransferSpec Default { get; } = new(1000, 1000, 1e-5, 1e-1);
}

/// <summary>A pass/fail check on one result metric (SPEC §9): passes when min ≤ value ≤ max for the bounds given;
/// a NaN value fails.</summary>
/// <param name="Metric">A path from <see cref="MetricPaths.All"/>, e.g. <c>finetune.ce.score</c>.</param>
public sealed record GateSpec(string Metric, double? Min, double? Max)
{
    public bool Passes(double value) =>
        !double.IsNaN(value) && (Min is not { } min || value >= min) && (Max is not { } max || value <= max);

    /// <summary><c>finetune.ce.score &gt;= 0.9</c>, <c>... &lt;= 2</c> or <c>... in [0.9, 2]</c>.</summary>
    public override string ToString() => (Min, Max) switch
    {
        ({ } min, { } max) => string.Create(CultureInfo.InvariantCulture, $"{Metric} in [{min:R}, {max:R}]"),
        ({ } min, null) => string.Create(CultureInfo.InvariantCulture, $"{Metric} >= {min:R}"),
        (null, { } max) => string.Create(CultureInfo.InvariantCulture, $"{Metric} <= {max:R}"),
        _ => Metric,
    };
}
