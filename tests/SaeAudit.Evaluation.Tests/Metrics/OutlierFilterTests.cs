using SaeAudit.Evaluation.Manifests;
using SaeAudit.Evaluation.Metrics;
using SaeAudit.Models;
using static SaeAudit.Evaluation.Tests.Metrics.MetricsTestData;

namespace SaeAudit.Evaluation.Tests.Metrics;

public class OutlierFilterTests
{
    // Calibration norms: base [1, 2, 3, 10] → median (2+3)/2 = 2.5, mean 16/4 = 4; finetune [2, 4, 6, 8] → median 5.
    private static readonly double[] NormsBase = [10, 1, 3, 2];
    private static readonly double[] NormsFinetune = [2, 8, 4, 6];

    [Fact]
    public void None_has_no_thresholds_but_still_the_calibration_median()
    {
        var filter = OutlierFilter.Calibrate(OutlierSpec.None, NormsBase, NormsFinetune);
        filter.TauBase.Should().BeNull();
        filter.TauFinetune.Should().BeNull();
        filter.CalibrationMedianBase.Should().Be(2.5);
        filter.IsOutlier(1e9, 1e9).Should().BeFalse();
    }

    [Fact]
    public void Absolute_uses_the_value_for_both_models_with_a_strict_test()
    {
        var filter = OutlierFilter.Calibrate(new OutlierSpec(OutlierMode.Absolute, 8.2, null, 32), NormsBase, NormsFinetune);
        (filter.TauBase, filter.TauFinetune).Should().Be((8.2, 8.2));
        filter.IsOutlier(8.2, 8.2).Should().BeFalse("|x| = τ is not an outlier");
        filter.IsOutlier(8.21, 0).Should().BeTrue();
        filter.IsOutlier(0, 8.21).Should().BeTrue("one rule for both models");
    }

    [Fact]
    public void Mean_multiple_uses_k_times_the_base_mean_for_both_models()
    {
        // τ = 2 × 4 = 8 for both.
        var filter = OutlierFilter.Calibrate(new OutlierSpec(OutlierMode.MeanMultiple, null, 2, 32), NormsBase, NormsFinetune);
        (filter.TauBase, filter.TauFinetune).Should().Be((8.0, 8.0));
    }

    [Fact]
    public void Median_multiple_uses_each_models_median()
    {
        // τ_B = 3 × 2.5 = 7.5, τ_F = 3 × 5 = 15 (both even counts: mean of the two middle values).
        var filter = OutlierFilter.Calibrate(new OutlierSpec(OutlierMode.MedianMultiple, null, 3, 32), NormsBase, NormsFinetune);
        (filter.TauBase, filter.TauFinetune).Should().Be((7.5, 15.0));
        filter.IsOutlier(7.5, 15).Should().BeFalse();
        filter.IsOutlier(7.6, 0).Should().BeTrue();
        // Odd count: the middle value.
        OutlierFilter.Calibrate(new OutlierSpec(OutlierMode.MedianMultiple, null, 1, 32), [5.0, 1, 3], [1.0, 2, 9])
            .TauFinetune.Should().Be(2);
    }

    [Fact]
    public void Calibration_takes_the_non_special_tokens_of_the_first_rows()
    {
        // calibration_rows = 3; rows of 2 tokens, position 0 special (id 9). Batch 1 holds rows 0-1, batch 2 rows
        // 2-3: row 3 is past the calibration rows. Base norms of the non-special tokens: 5, 10, 1 (row 3: 100).
        var calibration = new OutlierCalibration(new OutlierSpec(OutlierMode.MedianMultiple, null, 2, 3));
        var special = new HashSet<int> { 9 };
        var batch1 = new TokenBatch([9, 1, 9, 2], 2, 2);
        var batch2 = new TokenBatch([9, 3, 9, 4], 2, 2);
        calibration.Add(Matrix(4, 2, 99, 99, 3, 4, 99, 99, 6, 8), Matrix(4, 2, 0, 0, 1, 0, 0, 0, 2, 0), TokenMask.Create(batch1, special));
        calibration.Complete.Should().BeFalse();
        calibration.Add(Matrix(4, 2, 99, 99, 1, 0, 99, 99, 100, 0), Matrix(4, 2, 0, 0, 3, 0, 0, 0, 50, 0), TokenMask.Create(batch2, special));
        calibration.Complete.Should().BeTrue();
        calibration.Tokens.Should().Be(3);
        var filter = calibration.Result();
        filter.CalibrationMedianBase.Should().Be(5); // median of 5, 10, 1
        (filter.TauBase, filter.TauFinetune).Should().Be((10.0, 4.0)); // 2 × 5; 2 × median(1, 2, 3)
    }

    [Fact]
    public void Token_mask_flags_outliers_among_non_special_tokens_only()
    {
        // τ = 4.5 absolute; tokens: special with norm 100 (stays special, not an outlier), norm 5 in B (outlier),
        // norm 5 in F only (outlier), norm 1 in both (kept).
        var filter = OutlierFilter.Calibrate(new OutlierSpec(OutlierMode.Absolute, 4.5, null, 32), [1.0], [1.0]);
        var tokens = new TokenBatch([7, 1, 2, 3], 1, 4);
        var mask = TokenMask.Create(tokens, new HashSet<int> { 7 },
            Matrix(4, 2, 100, 0, 3, 4, 1, 0, 0, 1), Matrix(4, 2, 100, 0, 0, 1, 4, 3, 1, 0), filter);
        Enumerable.Range(0, 4).Select(mask.IsSpecial).Should().Equal(true, false, false, false);
        Enumerable.Range(0, 4).Select(mask.IsOutlier).Should().Equal(false, true, true, false);
        Enumerable.Range(0, 4).Select(mask.Kept).Should().Equal(false, false, false, true);
    }
}
