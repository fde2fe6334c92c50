using System.Text.Json.Serialization;
using SaeAudit.Tensors;

namespace SaeAudit.Evaluation.Metrics;

/// <summary>SPEC §3: per kept token cos(xB, xF) and |xB − xF|₂ in float64 from the float32 activations; mean,
/// population std, histograms, per-position means; plus the token counts (rows, kept, outliers).</summary>
public sealed class ActivationSimilarity
{
    private readonly OutlierFilter _filter;
    private readonly double[] _cosByPosition;
    private readonly double[] _distByPosition;
    private readonly long[] _tokensByPosition;
    private readonly Histogram _cosHistogram = new(-1, 1, 100);
    private readonly Histogram _distHistogram;
    private RunningMoments _cos;
    private RunningMoments _dist;
    private long _rows;
    private long _nonSpecial;
    private long _outliers;

    /// <param name="context">positions per row (the per-position curves cover 0..context−1)</param>
    /// <param name="filter">the calibrated filter: τs for the result, the calibration median for the dist range</param>
    public ActivationSimilarity(int context, OutlierFilter filter)
    {
        _filter = filter;
        _cosByPosition = new double[context];
        _distByPosition = new double[context];
        _tokensByPosition = new long[context];
        _distHistogram = new Histogram(0, 4 * filter.CalibrationMedianBase, 100);
    }

    /// <param name="xBase">base hook activations [tokens, d]</param>
    /// <param name="xFinetune">finetune hook activations [tokens, d]</param>
    /// <param name="mask">the batch's special tokens and outliers</param>
    public void Add(Tensor xBase, Tensor xFinetune, TokenMask mask)
    {
        if (mask.Sequence != _cosByPosition.Length)
            throw new ArgumentException($"batch rows have {mask.Sequence} positions, the accumulator {_cosByPosition.Length}");
        if (xBase.Rows != mask.Count || xFinetune.Rows != mask.Count)
            throw new ArgumentException($"activations have {xBase.Rows}/{xFinetune.Rows} rows for {mask.Count} tokens");
        _rows += mask.Rows;
        for (var token = 0; token < mask.Count; token++)
        {
            var position = mask.Position(token);
            var kept = mask.Kept(token);
            if (!mask.IsSpecial(token))
            {
                _nonSpecial++;
                if (!kept) _outliers++;
            }
            // The curves also show the BOS (special position 0), whatever its norm; other metrics use kept tokens.
            var inCurve = kept || (position == 0 && mask.IsSpecial(token));
            if (!inCurve) continue;
            var (cos, dist) = CosAndDistance(xBase.Row(token), xFinetune.Row(token));
            _cosByPosition[position] += cos;
            _distByPosition[position] += dist;
            _tokensByPosition[position]++;
            if (!kept) continue;
            _cos.Add(cos);
            _dist.Add(dist);
            _cosHistogram.Add(cos);
            _distHistogram.Add(dist);
        }
    }

    public TokensResult Tokens() => new(_rows, _nonSpecial - _outliers, _outliers);

    public ActivationsResult Result()
    {
        var cosCurve = new double[_cosByPosition.Length];
        var distCurve = new double[_distByPosition.Length];
        for (var p = 0; p < cosCurve.Length; p++)
        {
            var n = _tokensByPosition[p];
            cosCurve[p] = n == 0 ? double.NaN : _cosByPosition[p] / n;
            distCurve[p] = n == 0 ? double.NaN : _distByPosition[p] / n;
        }
        return new ActivationsResult(
            _cos.Mean, _cos.PopulationStd, _dist.Mean, _dist.PopulationStd,
            _nonSpecial == 0 ? double.NaN : (double)_outliers / _nonSpecial,
            _filter.TauBase, _filter.TauFinetune, cosCurve, distCurve,
            _cosHistogram.Result(), _distHistogram.Result());
    }

    private static (double Cos, double Dist) CosAndDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, normA = 0, normB = 0, dist = 0;
        for (var k = 0; k < a.Length; k++)
        {
            double x = a[k], y = b[k];
            dot += x * y;
            normA += x * x;
            normB += y * y;
            var d = x - y;
            dist += d * d;
        }
        return (dot / (Math.Sqrt(normA) * Math.Sqrt(normB)), Math.Sqrt(dist));
    }
}

/// <summary>SPEC §11 <c>tokens</c>: rows evaluated, kept tokens (non-special − outliers), outliers.</summary>
public sealed record TokensResult(
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("kept")] long Kept,
    [property: JsonPropertyName("outliers")] long Outliers);

/// <summary>SPEC §11 <c>activations</c>.</summary>
public sealed record ActivationsResult(
    [property: JsonPropertyName("cos_mean"), JsonConverter(typeof(NanAsNullConverter))] double CosMean,
    [property: JsonPropertyName("cos_std"), JsonConverter(typeof(NanAsNullConverter))] double CosStd,
    [property: JsonPropertyName("dist_mean"), JsonConverter(typeof(NanAsNullConverter))] double DistMean,
    [property: JsonPropertyName("dist_std"), JsonConverter(typeof(NanAsNullConverter))] double DistStd,
    [property: JsonPropertyName("outlier_fraction"), JsonConverter(typeof(NanAsNullConverter))] double OutlierFraction,
    [property: JsonPropertyName("tau_base")] double? TauBase,
    [property: JsonPropertyName("tau_finetune")] double? TauFinetune,
    [property: JsonPropertyName("cos_by_position"), JsonConverter(typeof(NanAsNullArrayConverter))] double[] CosByPosition,
    [property: JsonPropertyName("dist_by_position"), JsonConverter(typeof(NanAsNullArrayConverter))] double[] DistByPosition,
    [property: JsonPropertyName("cos_histogram")] HistogramResult CosHistogram,
    [property: JsonPropertyName("dist_histogram")] HistogramResult DistHistogram);
