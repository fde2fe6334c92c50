using System.Text.Json.Serialization;
using SaeAudit.Tensors;

namespace SaeAudit.Evaluation.Metrics;

/// <summary>SPEC §4 SAE metrics of one model over its kept tokens: L0, L1, MSE, the three explained variances,
/// cos(x, x̂), |x̂|/|x|, feature counts / densities and their histograms. Float64 from the float32 inputs.</summary>
public sealed class SaeReconstruction
{
    /// <summary>SPEC §4: a feature is dense when its density exceeds this (strict).</summary>
    public const double DenseDensity = 0.1;

    private readonly long[] _featureCounts;
    private readonly Histogram _logActivationHistogram = new(-4, 4, 80);
    private long _kept;
    private long _activeEntries;
    private double _l1;
    private double _squaredError;
    private double _cosRec;
    private double _l2Ratio;
    private double _legacySum;
    private long _legacyTokens;

    // Per-dimension mean and sum of squared deviations over all kept tokens so far, merged batch by batch
    // (Chan et al.): the pooled variance without the cancellation of Σx² − n·x̄².
    private double[] _mean = [];
    private double[] _m2 = [];
    private double[] _batchMean = [];
    private double[] _batchM2 = [];

    public SaeReconstruction(int featureCount) => _featureCounts = new long[featureCount];

    /// <summary>c_i = #{kept t : f_i(t) &gt; 0}.</summary>
    public ReadOnlySpan<long> FeatureCounts => _featureCounts;

    public long Kept => _kept;

    /// <summary>Adds one batch (the unit of μ_b in explained_variance_legacy).</summary>
    /// <param name="x">hook activations [tokens, d]</param>
    /// <param name="features">SAE feature activations f [tokens, d_sae]</param>
    /// <param name="reconstruction">x̂ [tokens, d]</param>
    /// <param name="mask">the batch's kept tokens</param>
    public void Add(Tensor x, Tensor features, Tensor reconstruction, TokenMask mask)
    {
        if (x.Rows != mask.Count || features.Rows != mask.Count || reconstruction.Rows != mask.Count)
            throw new ArgumentException($"inputs have {x.Rows}/{features.Rows}/{reconstruction.Rows} rows for {mask.Count} tokens");
        if (features.Columns != _featureCounts.Length)
            throw new ArgumentException($"features have {features.Columns} columns, the SAE {_featureCounts.Length}");
        if (reconstruction.Columns != x.Columns)
            throw new ArgumentException($"reconstruction width {reconstruction.Columns} differs from activation width {x.Columns}");
        EnsureWidth(x.Columns);

        var keptBefore = _kept;
        var batchKept = BatchMoments(x, mask);
        if (batchKept == 0) return;
        for (var token = 0; token < mask.Count; token++)
        {
            if (!mask.Kept(token)) continue;
            AddReconstruction(x.Row(token), reconstruction.Row(token));
            AddFeatures(features.Row(token));
        }
        MergeBatchMoments(keptBefore, batchKept);
    }

    public SaeResult Result()
    {
        var n = (double)_kept;
        var d = _mean.Length;
        double pooledTotal = 0, meanOfMeans = 0;
        for (var j = 0; j < d; j++)
        {
            pooledTotal += _m2[j];
            meanOfMeans += _mean[j];
        }
        meanOfMeans /= d;
        // Σ_{t,j} (x − m)² about the scalar mean m = Σ_j [M2_j + n·(x̄_j − m)²] (exact identity).
        var flatTotal = pooledTotal;
        for (var j = 0; j < d; j++) flatTotal += n * (_mean[j] - meanOfMeans) * (_mean[j] - meanOfMeans);

        int dead = 0, dense = 0;
        var logDensityHistogram = new Histogram(-8, 0, 80);
        foreach (var count in _featureCounts)
        {
            if (count == 0)
            {
                dead++;
                continue;
            }
            var density = count / n;
            if (density > DenseDensity) dense++;
            logDensityHistogram.Add(Math.Log10(density));
        }

        return new SaeResult(
            L0: _activeEntries / n,
            L1: _l1 / n,
            Mse: _squaredError / n,
            ExplainedVariance: 1 - _squaredError / pooledTotal,
            ExplainedVarianceLegacy: _legacySum / _legacyTokens,
            R2Flat: 1 - _squaredError / flatTotal,
            CosRec: _cosRec / n,
            L2Ratio: _l2Ratio / n,
            DeadFraction: (double)dead / _featureCounts.Length,
            DenseFraction: (double)dense / _featureCounts.Length,
            LogDensityHistogram: logDensityHistogram.Result(),
            LogActivationHistogram: _logActivationHistogram.Result());
    }

    private void EnsureWidth(int d)
    {
        if (_mean.Length == d) return;
        if (_mean.Length != 0) throw new ArgumentException($"activation width changed from {_mean.Length} to {d}");
        _mean = new double[d];
        _m2 = new double[d];
        _batchMean = new double[d];
        _batchM2 = new double[d];
    }

    /// <summary>μ_b and the per-dimension squared deviations of this batch's kept tokens (two passes), plus the
    /// legacy EV terms, which need μ_b. Returns the batch's kept count.</summary>
    private long BatchMoments(Tensor x, TokenMask mask)
    {
        Array.Clear(_batchMean);
        Array.Clear(_batchM2);
        long kept = 0;
        for (var token = 0; token < mask.Count; token++)
        {
            if (!mask.Kept(token)) continue;
            kept++;
            var row = x.Row(token);
            for (var j = 0; j < row.Length; j++) _batchMean[j] += row[j];
        }
        if (kept == 0) return 0;
        for (var j = 0; j < _batchMean.Length; j++) _batchMean[j] /= kept;
        for (var token = 0; token < mask.Count; token++)
        {
            if (!mask.Kept(token)) continue;
            var row = x.Row(token);
            for (var j = 0; j < row.Length; j++)
            {
                var deviation = row[j] - _batchMean[j];
                _batchM2[j] += deviation * deviation;
            }
        }
        return kept;
    }

    private void MergeBatchMoments(long keptBefore, long batchKept)
    {
        double before = keptBefore, total = keptBefore + batchKept;
        for (var j = 0; j < _mean.Length; j++)
        {
            var delta = _batchMean[j] - _mean[j];
            _mean[j] += delta * batchKept / total;
            _m2[j] += _batchM2[j] + delta * delta * before * batchKept / total;
        }
    }

    private void AddReconstruction(ReadOnlySpan<float> x, ReadOnlySpan<float> xHat)
    {
        double error = 0, spread = 0, dot = 0, normX = 0, normHat = 0;
        for (var j = 0; j < x.Length; j++)
        {
            double a = x[j], b = xHat[j];
            var e = a - b;
            error += e * e;
            var deviation = a - _batchMean[j];
            spread += deviation * deviation;
            dot += a * b;
            normX += a * a;
            normHat += b * b;
        }
        _kept++;
        _squaredError += error;
        // SPEC §12: a token with |x − μ_b|² = 0 would have no legacy ratio and is skipped.
        if (spread > 0)
        {
            _legacySum += 1 - error / spread;
            _legacyTokens++;
        }
        _cosRec += dot / (Math.Sqrt(normX) * Math.Sqrt(normHat));
        _l2Ratio += Math.Sqrt(normHat) / Math.Sqrt(normX);
    }

    /// <summary>Visits only the nonzero entries (−0 is visited and ignored), so the cost is ~L0 per token after a
    /// vectorized scan.</summary>
    private void AddFeatures(ReadOnlySpan<float> f)
    {
        for (var i = Statistics.NextNonzero(f, -1); i >= 0; i = Statistics.NextNonzero(f, i))
        {
            double value = f[i];
            _l1 += Math.Abs(value);
            if (!(value > 0)) continue;
            _activeEntries++;
            _featureCounts[i]++;
            _logActivationHistogram.Add(Math.Log10(value));
        }
    }
}

/// <summary>SPEC §11 <c>&lt;model&gt;.sae</c>.</summary>
public sealed record SaeResult(
    [property: JsonPropertyName("l0"), JsonConverter(typeof(NanAsNullConverter))] double L0,
    [property: JsonPropertyName("l1"), JsonConverter(typeof(NanAsNullConverter))] double L1,
    [property: JsonPropertyName("mse"), JsonConverter(typeof(NanAsNullConverter))] double Mse,
    [property: JsonPropertyName("explained_variance"), JsonConverter(typeof(NanAsNullConverter))] double ExplainedVariance,
    [property: JsonPropertyName("explained_variance_legacy"), JsonConverter(typeof(NanAsNullConverter))] double ExplainedVarianceLegacy,
    [property: JsonPropertyName("r2_flat"), JsonConverter(typeof(NanAsNullConverter))] double R2Flat,
    [property: JsonPropertyName("cos_rec"), JsonConverter(typeof(NanAsNullConverter))] double CosRec,
    [property: JsonPropertyName("l2_ratio"), JsonConverter(typeof(NanAsNullConverter))] double L2Ratio,
    [property: JsonPropertyName("dead_fraction"), JsonConverter(typeof(NanAsNullConverter))] double DeadFraction,
    [property: JsonPropertyName("dense_fraction"), JsonConverter(typeof(NanAsNullConverter))] double DenseFraction,
    [property: JsonPropertyName("log_density_histogram")] HistogramResult LogDensityHistogram,
    [property: JsonPropertyName("log_activation_histogram")] HistogramResult LogActivationHistogram);
