using SaeAudit.Evaluation.Manifests;

namespace SaeAudit.Evaluation.Metrics;

/// <summary>SPEC §3 outlier filter: thresholds τ_B, τ_F (null when off) from the calibration norms. A token is an
/// outlier if |xB| &gt; τ_B or |xF| &gt; τ_F (strict; one rule for both models).</summary>
public sealed class OutlierFilter
{
    private OutlierFilter(double? tauBase, double? tauFinetune, double calibrationMedianBase)
    {
        TauBase = tauBase;
        TauFinetune = tauFinetune;
        CalibrationMedianBase = calibrationMedianBase;
    }

    public double? TauBase { get; }

    public double? TauFinetune { get; }

    /// <summary>Median |xB| over the calibration tokens, computed in every mode: it sets the dist histogram range
    /// [0, 4·median] (SPEC §8, §12).</summary>
    public double CalibrationMedianBase { get; }

    /// <param name="settings">mode and parameter</param>
    /// <param name="normsBase">float64 |xB| of the non-special tokens of the calibration rows</param>
    /// <param name="normsFinetune">float64 |xF| of the same tokens</param>
    public static OutlierFilter Calibrate(OutlierSpec settings, IReadOnlyList<double> normsBase,
        IReadOnlyList<double> normsFinetune)
    {
        if (normsBase.Count == 0 || normsFinetune.Count != normsBase.Count)
            throw new ArgumentException($"calibration needs equally many base and finetune norms ({normsBase.Count} vs {normsFinetune.Count}), at least one");
        var medianBase = Statistics.Median(normsBase);
        return settings.Mode switch
        {
            OutlierMode.None => new OutlierFilter(null, null, medianBase),
            OutlierMode.Absolute => Same(Require(settings.Value, "value"), medianBase),
            OutlierMode.MeanMultiple => Same(Require(settings.K, "k") * Statistics.Mean(normsBase), medianBase),
            OutlierMode.MedianMultiple => new OutlierFilter(Require(settings.K, "k") * medianBase,
                Require(settings.K, "k") * Statistics.Median(normsFinetune), medianBase),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Mode, "unknown outlier mode"),
        };
    }

    private static double Require(double? parameter, string name) =>
        parameter ?? throw new ArgumentException($"the outlier mode needs {name}");

    private static OutlierFilter Same(double tau, double medianBase) => new(tau, tau, medianBase);

    /// <summary>Strict test; a null τ (mode none) compares false, so nothing is an outlier.</summary>
    public bool IsOutlier(double normBase, double normFinetune) =>
        normBase > TauBase || normFinetune > TauFinetune;
}
