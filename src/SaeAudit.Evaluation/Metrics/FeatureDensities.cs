using System.Text.Json.Serialization;
using SaeAudit.Evaluation.Sampling;

namespace SaeAudit.Evaluation.Metrics;

/// <summary>SPEC §4 "across models", over all d_sae features: born in F (dead in B, alive in F), died in F (alive in
/// B, dead in F), dead in both, and the Pearson correlation of log10 ρ_i over features alive in both.</summary>
public static class FeatureDensities
{
    /// <param name="countsBase">c_i of the base model (<see cref="SaeReconstruction.FeatureCounts"/>)</param>
    /// <param name="countsFinetune">c_i of the finetune</param>
    /// <summary>How many features <see cref="DensitiesResult.Sample"/> holds at most.</summary>
    public const int SampleSize = 200;

    /// <param name="countsBase">c_i of the base model (<see cref="SaeReconstruction.FeatureCounts"/>)</param>
    /// <param name="countsFinetune">c_i of the finetune</param>
    /// <param name="kept">kept tokens (the same for both models)</param>
    /// <param name="sampleSeed">when set, <see cref="DensitiesResult.Sample"/> holds up to <see cref="SampleSize"/>
    /// features alive in either model, drawn with SPEC §2's sampling from this seed (reports draw the parallel-coordinates
    /// view of log10 ρ base → finetune from it)</param>
    public static DensitiesResult Compute(ReadOnlySpan<long> countsBase, ReadOnlySpan<long> countsFinetune, long kept,
        ulong? sampleSeed = null)
    {
        if (countsBase.Length != countsFinetune.Length)
            throw new ArgumentException($"counts cover {countsBase.Length} and {countsFinetune.Length} features");
        int born = 0, died = 0, deadBoth = 0;
        var logBase = new List<double>();
        var logFinetune = new List<double>();
        for (var i = 0; i < countsBase.Length; i++)
        {
            bool deadBase = countsBase[i] == 0, deadFinetune = countsFinetune[i] == 0;
            if (deadBase && deadFinetune) deadBoth++;
            else if (deadBase) born++;
            else if (deadFinetune) died++;
            else
            {
                logBase.Add(Math.Log10((double)countsBase[i] / kept));
                logFinetune.Add(Math.Log10((double)countsFinetune[i] / kept));
            }
        }
        return new DensitiesResult(
            Statistics.Pearson(logBase.ToArray(), logFinetune.ToArray()), born, died, deadBoth)
        {
            Sample = sampleSeed is { } seed ? SampleOf(countsBase, countsFinetune, kept, seed) : null,
        };
    }

    private static DensitySample SampleOf(ReadOnlySpan<long> countsBase, ReadOnlySpan<long> countsFinetune, long kept,
        ulong seed)
    {
        var alive = new List<int>();
        for (var i = 0; i < countsBase.Length; i++)
            if (countsBase[i] > 0 || countsFinetune[i] > 0) alive.Add(i);
        var features = SplitMix64.Sample(alive, SampleSize, seed);
        // log10 0 is -inf: a dead feature is NaN, written as null.
        double LogDensity(long count) => count > 0 ? Math.Log10((double)count / kept) : double.NaN;
        var countsB = countsBase.ToArray();
        var countsF = countsFinetune.ToArray();
        return new DensitySample(features,
            features.Select(i => LogDensity(countsB[i])).ToArray(),
            features.Select(i => LogDensity(countsF[i])).ToArray());
    }
}

/// <summary>SPEC §11 <c>densities</c>.</summary>
public sealed record DensitiesResult(
    [property: JsonPropertyName("log_density_pearson"), JsonConverter(typeof(NanAsNullConverter))] double LogDensityPearson,
    [property: JsonPropertyName("born")] int Born,
    [property: JsonPropertyName("died")] int Died,
    [property: JsonPropertyName("dead_both")] int DeadBoth)
{
    /// <summary>Not in SPEC §11: per-feature log10 densities of a sample of features, for the parallel-coordinates view.</summary>
    [JsonPropertyName("sample")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DensitySample? Sample { get; init; }
}

/// <summary>log10 ρ in base and finetune of sampled features (null where the feature is dead in that model).</summary>
public sealed record DensitySample(
    [property: JsonPropertyName("features")] int[] Features,
    [property: JsonPropertyName("log_density_base"), JsonConverter(typeof(NanAsNullArrayConverter))] double[] LogDensityBase,
    [property: JsonPropertyName("log_density_finetune"), JsonConverter(typeof(NanAsNullArrayConverter))] double[] LogDensityFinetune);
