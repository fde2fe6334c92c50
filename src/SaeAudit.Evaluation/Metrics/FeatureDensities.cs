using System.Text.Json.Serialization;

namespace SaeAudit.Evaluation.Metrics;

/// <summary>SPEC §4 "across models", over all d_sae features: born in F (dead in B, alive in F), died in F (alive in
/// B, dead in F), dead in both, and the Pearson correlation of log10 ρ_i over features alive in both.</summary>
public static class FeatureDensities
{
    /// <param name="countsBase">c_i of the base model (<see cref="SaeReconstruction.FeatureCounts"/>)</param>
    /// <param name="countsFinetune">c_i of the finetune</param>
    /// <param name="kept">kept tokens (the same for both models)</param>
    public static DensitiesResult Compute(ReadOnlySpan<long> countsBase, ReadOnlySpan<long> countsFinetune, long kept)
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
            Statistics.Pearson(logBase.ToArray(), logFinetune.ToArray()), born, died, deadBoth);
    }
}

/// <summary>SPEC §11 <c>densities</c>.</summary>
public sealed record DensitiesResult(
    [property: JsonPropertyName("log_density_pearson"), JsonConverter(typeof(NanAsNullConverter))] double LogDensityPearson,
    [property: JsonPropertyName("born")] int Born,
    [property: JsonPropertyName("died")] int Died,
    [property: JsonPropertyName("dead_both")] int DeadBoth);
