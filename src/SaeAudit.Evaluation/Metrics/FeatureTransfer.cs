using System.Text.Json.Serialization;
using SaeAudit.Evaluation.Manifests;
using SaeAudit.Evaluation.Sampling;
using SaeAudit.Tensors;

namespace SaeAudit.Evaluation.Metrics;

/// <summary>What the logit-weight similarity needs: the SAE decoder W_dec [d_sae, d], each model's final-norm gain
/// γ [d] as applied (w, or 1 + w for Gemma) and unembedding W_U [vocab, d] as stored (read a row at a time).</summary>
public sealed record LogitWeights(Tensor Decoder, float[] GainBase, WeightMatrix UnembeddingBase, float[] GainFinetune,
    WeightMatrix UnembeddingFinetune);

/// <summary>SPEC §6 feature transfer in one streaming pass: per feature, float64 sums over kept tokens of f_B, f_F,
/// f_B², f_F², f_B·f_F (Pearson at the end), Σ_t |log10(f_B + 1e-10) − log10(f_F + 1e-10)| and the max activation
/// in each model. Only nonzero activations contribute to any of these, so a token costs ~L0 after a scan.</summary>
public sealed class FeatureTransfer
{
    /// <summary>SPEC §6: ε of the dead-feature activation error.</summary>
    public const double LogEpsilon = 1e-10;

    private static readonly double LogOfEpsilon = Math.Log10(LogEpsilon);

    private readonly double[] _sumBase;
    private readonly double[] _sumFinetune;
    private readonly double[] _sumSquaresBase;
    private readonly double[] _sumSquaresFinetune;
    private readonly double[] _sumProducts;
    private readonly double[] _sumLogError;
    private readonly double[] _maxBase;
    private readonly double[] _maxFinetune;
    private long _kept;

    public FeatureTransfer(int featureCount)
    {
        _sumBase = new double[featureCount];
        _sumFinetune = new double[featureCount];
        _sumSquaresBase = new double[featureCount];
        _sumSquaresFinetune = new double[featureCount];
        _sumProducts = new double[featureCount];
        _sumLogError = new double[featureCount];
        _maxBase = new double[featureCount];
        _maxFinetune = new double[featureCount];
    }

    public int FeatureCount => _sumBase.Length;

    /// <param name="featuresBase">f(xB) [tokens, d_sae]</param>
    /// <param name="featuresFinetune">f(xF) [tokens, d_sae]</param>
    /// <param name="mask">the batch's kept tokens</param>
    public void Add(Tensor featuresBase, Tensor featuresFinetune, TokenMask mask)
    {
        if (featuresBase.Rows != mask.Count || featuresFinetune.Rows != mask.Count)
            throw new ArgumentException($"features have {featuresBase.Rows}/{featuresFinetune.Rows} rows for {mask.Count} tokens");
        if (featuresBase.Columns != FeatureCount || featuresFinetune.Columns != FeatureCount)
            throw new ArgumentException($"features have {featuresBase.Columns}/{featuresFinetune.Columns} columns, the SAE {FeatureCount}");
        for (var token = 0; token < mask.Count; token++)
        {
            if (!mask.Kept(token)) continue;
            _kept++;
            AddToken(featuresBase.Row(token), featuresFinetune.Row(token));
        }
    }

    private void AddToken(ReadOnlySpan<float> fBase, ReadOnlySpan<float> fFinetune)
    {
        // Entries nonzero in B: everything that involves f_B, and the log error where f_B ≠ 0.
        for (var i = Statistics.NextNonzero(fBase, -1); i >= 0; i = Statistics.NextNonzero(fBase, i))
        {
            double b = fBase[i], f = fFinetune[i];
            if (b == 0) continue; // −0
            _sumBase[i] += b;
            _sumSquaresBase[i] += b * b;
            _sumProducts[i] += b * f;
            _sumLogError[i] += Math.Abs(Math.Log10(b + LogEpsilon) - Math.Log10(f + LogEpsilon));
            if (b > _maxBase[i]) _maxBase[i] = b;
        }
        // Entries nonzero in F: the F sums, and the log error where f_B = 0 (not counted above).
        for (var i = Statistics.NextNonzero(fFinetune, -1); i >= 0; i = Statistics.NextNonzero(fFinetune, i))
        {
            double f = fFinetune[i];
            if (f == 0) continue;
            _sumFinetune[i] += f;
            _sumSquaresFinetune[i] += f * f;
            if (fBase[i] == 0) _sumLogError[i] += Math.Abs(LogOfEpsilon - Math.Log10(f + LogEpsilon));
            if (f > _maxFinetune[i]) _maxFinetune[i] = f;
        }
    }

    /// <summary>Pearson correlation over kept tokens of f_i(xB) and f_i(xF); NaN when either is constant.</summary>
    public double ActivationCorrelation(int feature) => Statistics.PearsonFromSums(_kept, _sumBase[feature],
        _sumFinetune[feature], _sumSquaresBase[feature], _sumSquaresFinetune[feature], _sumProducts[feature]);

    /// <summary>mean_t |log10(f_B + 1e-10) − log10(f_F + 1e-10)| over kept tokens.</summary>
    public double ActivationError(int feature) => _sumLogError[feature] / _kept;

    /// <param name="countsBase">c_i of the base model (<see cref="SaeReconstruction.FeatureCounts"/>)</param>
    /// <param name="countsFinetune">c_i of the finetune</param>
    /// <param name="settings">sample sizes and the regular density range</param>
    /// <param name="seed">the manifest seed: features use seed + 1, dead features seed + 2 (SPEC §6, §12)</param>
    /// <param name="logitWeights">decoder, gains and unembeddings for the logit-weight similarity</param>
    public TransferResult Result(ReadOnlySpan<long> countsBase, ReadOnlySpan<long> countsFinetune,
        TransferSpec settings, ulong seed, LogitWeights logitWeights)
    {
        if (countsBase.Length != FeatureCount || countsFinetune.Length != FeatureCount)
            throw new ArgumentException($"counts cover {countsBase.Length}/{countsFinetune.Length} features, the SAE {FeatureCount}");
        var regular = new List<int>();
        var born = new List<int>();
        var died = new List<int>();
        for (var i = 0; i < FeatureCount; i++)
        {
            if (countsBase[i] == 0 && countsFinetune[i] > 0) born.Add(i);
            if (countsBase[i] > 0 && countsFinetune[i] == 0) died.Add(i);
            if (InRange(countsBase[i], settings) && InRange(countsFinetune[i], settings)) regular.Add(i);
        }
        var sampled = SplitMix64.Sample(regular, settings.Features, unchecked(seed + 1));
        // SPEC §12: each dead list is shuffled by a fresh generator with the same seed.
        var bornSampled = SplitMix64.Sample(born, settings.DeadCap, unchecked(seed + 2));
        var diedSampled = SplitMix64.Sample(died, settings.DeadCap, unchecked(seed + 2));

        var activation = sampled.Select(ActivationCorrelation).ToArray();
        var logit = LogitSimilarity.Compute(sampled, logitWeights);
        var bornErrors = bornSampled.Select(ActivationError).ToArray();
        var diedErrors = diedSampled.Select(ActivationError).ToArray();
        var bornMax = bornSampled.Select(i => _maxFinetune[i]).ToArray();
        var diedMax = diedSampled.Select(i => _maxBase[i]).ToArray();
        double[] errors = [.. bornErrors, .. diedErrors];
        var errorHistogram = new Histogram(0, 10, 100);
        foreach (var e in errors) errorHistogram.Add(e);

        return new TransferResult(
            Summarize(activation),
            Summarize(logit),
            new DeadErrorSummary(errors.Length, Statistics.Mean(errors), errorHistogram.Result()),
            new TransferExtras(regular.Count, sampled,
                new DeadFeatures(bornSampled, diedSampled),
                new DeadMaxActivations(bornMax, diedMax),
                new DeadErrorsByKind(
                    new DeadKindSummary(bornErrors.Length, Statistics.Mean(bornErrors), Statistics.Mean(bornMax)),
                    new DeadKindSummary(diedErrors.Length, Statistics.Mean(diedErrors), Statistics.Mean(diedMax))),
                activation, logit));
    }

    private bool InRange(long count, TransferSpec settings)
    {
        var density = (double)count / _kept;
        return density >= settings.DensityLow && density <= settings.DensityHigh;
    }

    private static SimilaritySummary Summarize(double[] values)
    {
        var defined = values.Where(v => !double.IsNaN(v)).ToArray();
        var histogram = new Histogram(-1, 1, 100);
        foreach (var v in defined) histogram.Add(v);
        return new SimilaritySummary(
            values.Length,
            values.Length - defined.Length,
            Statistics.Mean(defined),
            Statistics.Median(defined),
            defined.Length == 0 ? double.NaN : (double)defined.Count(v => v >= 0.8) / defined.Length,
            histogram.Result());
    }
}

/// <summary>SPEC §11 <c>transfer.activation_similarity</c> / <c>transfer.logit_similarity</c>: n sampled features,
/// how many were undefined (constant), and mean / median / fraction ≥ 0.8 / histogram over the defined ones.</summary>
public sealed record SimilaritySummary(
    [property: JsonPropertyName("n")] int N,
    [property: JsonPropertyName("undefined")] int Undefined,
    [property: JsonPropertyName("mean"), JsonConverter(typeof(NanAsNullConverter))] double Mean,
    [property: JsonPropertyName("median"), JsonConverter(typeof(NanAsNullConverter))] double Median,
    [property: JsonPropertyName("frac_ge_0_8"), JsonConverter(typeof(NanAsNullConverter))] double FracGe08,
    [property: JsonPropertyName("histogram")] HistogramResult Histogram);

/// <summary>SPEC §11 <c>transfer.dead_activation_error</c>, pooling born and died features.</summary>
public sealed record DeadErrorSummary(
    [property: JsonPropertyName("n")] int N,
    [property: JsonPropertyName("mean"), JsonConverter(typeof(NanAsNullConverter))] double Mean,
    [property: JsonPropertyName("histogram")] HistogramResult Histogram);

/// <summary>SPEC §11 <c>transfer</c>. <see cref="Extras"/> holds what the reference reports under
/// <c>reference.extras</c>; it is not part of the <c>transfer</c> object.</summary>
public sealed record TransferResult(
    [property: JsonPropertyName("activation_similarity")] SimilaritySummary ActivationSimilarity,
    [property: JsonPropertyName("logit_similarity")] SimilaritySummary LogitSimilarity,
    [property: JsonPropertyName("dead_activation_error")] DeadErrorSummary DeadActivationError,
    [property: JsonIgnore] TransferExtras Extras);

/// <summary>Sampled features and per-feature values behind the transfer summaries (reference extras names).</summary>
public sealed record TransferExtras(
    [property: JsonPropertyName("regular_candidates")] int RegularCandidates,
    [property: JsonPropertyName("sampled_features")] int[] SampledFeatures,
    [property: JsonPropertyName("dead_sampled")] DeadFeatures DeadSampled,
    [property: JsonPropertyName("dead_max_activation")] DeadMaxActivations DeadMaxActivation,
    [property: JsonPropertyName("dead_activation_error_by_kind")] DeadErrorsByKind DeadActivationErrorByKind,
    [property: JsonPropertyName("activation_similarities"), JsonConverter(typeof(NanAsNullArrayConverter))] double[] ActivationSimilarities,
    [property: JsonPropertyName("logit_similarities"), JsonConverter(typeof(NanAsNullArrayConverter))] double[] LogitSimilarities);

/// <summary>Sampled exclusively dead features: born = dead in B, alive in F; died = alive in B, dead in F.</summary>
public sealed record DeadFeatures(
    [property: JsonPropertyName("born")] int[] Born,
    [property: JsonPropertyName("died")] int[] Died);

/// <summary>Max activation of each sampled dead feature in the model where it is alive (F for born, B for died).</summary>
public sealed record DeadMaxActivations(
    [property: JsonPropertyName("born")] double[] Born,
    [property: JsonPropertyName("died")] double[] Died);

/// <summary>Dead-feature activation error split by kind, as the reference's extras report it.</summary>
public sealed record DeadErrorsByKind(
    [property: JsonPropertyName("born")] DeadKindSummary Born,
    [property: JsonPropertyName("died")] DeadKindSummary Died);

/// <summary>n, mean activation error and mean max activation (in the alive model) of one kind of dead feature.</summary>
public sealed record DeadKindSummary(
    [property: JsonPropertyName("n")] int N,
    [property: JsonPropertyName("mean"), JsonConverter(typeof(NanAsNullConverter))] double Mean,
    [property: JsonPropertyName("max_activation_mean"), JsonConverter(typeof(NanAsNullConverter))] double MaxActivationMean);
