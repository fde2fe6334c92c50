using SaeAudit.Evaluation.Metrics;
using static SaeAudit.Evaluation.Tests.Metrics.MetricsTestData;

namespace SaeAudit.Evaluation.Tests.Metrics;

public class SaeReconstructionTests
{
    private const float Tiny = 1f / 16384; // 2^-14: log10 ≈ −4.21, below the log10 f histogram range

    /// <summary>Two batches of different size, d = 2, d_sae = 3.
    /// Batch 1 (3 tokens, position 0 special and ignored; 2 kept):
    ///   t1 x [1,2] x̂ [1,1] f [.5, 0, 0]     |x−x̂|² = 1
    ///   t2 x [3,2] x̂ [2,2] f [1, 2, 0]      |x−x̂|² = 1       μ_b = [2,2]: |x−μ_b|² = 1, 1 → legacy terms 0, 0
    /// Batch 2 (3 kept):
    ///   t3 x [0,1] x̂ [0,2] f [0, −0, 0]     |x−x̂|² = 1
    ///   t4 x [2,1] x̂ [2,1] f [0, 10, 0]     |x−x̂|² = 0
    ///   t5 x [1,4] x̂ [1,3] f [2^-14, 0, 0]  |x−x̂|² = 1       μ_b = [1,2]: |x−μ_b|² = 2, 2, 4 → .5, 1, .75
    /// </summary>
    private static SaeReconstruction TwoBatches()
    {
        var sae = new SaeReconstruction(3);
        sae.Add(
            Matrix(3, 2, 100, 100, 1, 2, 3, 2),
            Matrix(3, 3, 9, 9, 9, 0.5f, 0, 0, 1, 2, 0),
            Matrix(3, 2, 0, 0, 1, 1, 2, 2),
            Mask(3, 3, special: [0]));
        sae.Add(
            Matrix(3, 2, 0, 1, 2, 1, 1, 4),
            Matrix(3, 3, 0, -0f, 0, 0, 10, 0, Tiny, 0, 0),
            Matrix(3, 2, 0, 2, 2, 1, 1, 3),
            Mask(3, 3));
        return sae;
    }

    [Fact]
    public void Reconstruction_metrics_match_the_hand_computation()
    {
        var r = TwoBatches().Result();
        r.Mse.Should().BeApproximately(4.0 / 5, 1e-15); // (1+1+1+0+1)/5
        // Pooled: x̄ = [1.4, 2]; Σ(x0−1.4)² over [1,3,0,2,1] = 5.2, Σ(x1−2)² over [2,2,1,1,4] = 6 → 1 − 4/11.2.
        r.ExplainedVariance.Should().BeApproximately(1 - 4 / 11.2, 1e-14);
        // Legacy: mean over all 5 kept tokens (not of the per-batch means .0 and .75): (0+0+.5+1+.75)/5.
        r.ExplainedVarianceLegacy.Should().BeApproximately(2.25 / 5, 1e-15);
        // r2_flat: m = 17/10 = 1.7; Σ(x−1.7)² = 5.65 + 6.45 = 12.1 → 1 − 4/12.1.
        r.R2Flat.Should().BeApproximately(1 - 4 / 12.1, 1e-14);
        // cos(x, x̂): 3/√10, 10/√104, 1, 1, 13/√170; |x̂|/|x|: √2/√5, √8/√13, 2, 1, √10/√17.
        r.CosRec.Should().BeApproximately((3 / Math.Sqrt(10) + 10 / Math.Sqrt(104) + 2 + 13 / Math.Sqrt(170)) / 5, 1e-15);
        r.L2Ratio.Should().BeApproximately((Math.Sqrt(2.0 / 5) + Math.Sqrt(8.0 / 13) + 3 + Math.Sqrt(10.0 / 17)) / 5, 1e-15);
    }

    [Fact]
    public void Feature_metrics_match_the_hand_computation()
    {
        var sae = TwoBatches();
        var r = sae.Result();
        // Active entries f > 0: t1 1, t2 2, t3 0 (−0 is not active), t4 1, t5 1 → L0 = 5/5.
        r.L0.Should().Be(1);
        r.L1.Should().BeApproximately((0.5 + 1 + 2 + 10 + (double)Tiny) / 5, 1e-15);
        sae.Kept.Should().Be(5);
        sae.FeatureCounts.ToArray().Should().Equal(3, 2, 0);
        // ρ = [.6, .4, 0]: one dead feature, two dense (ρ > .1).
        r.DeadFraction.Should().Be(1.0 / 3);
        r.DenseFraction.Should().Be(2.0 / 3);
        // log10 ρ over alive features, bins of .1 on [−8, 0]: log10 .6 = −.222 → bin 77, log10 .4 = −.398 → bin 76.
        r.LogDensityHistogram.Counts.Sum().Should().Be(2);
        r.LogDensityHistogram.Counts[77].Should().Be(1);
        r.LogDensityHistogram.Counts[76].Should().Be(1);
        // log10 f over nonzero f, bins of .1 on [−4, 4]: .5 → −.301 → bin 36; 1 → 0 → bin 40; 2 → .301 → bin 43;
        // 10 → 1 (an edge) → bin 50; 2^-14 → −4.21 → underflow.
        var activations = r.LogActivationHistogram;
        activations.Underflow.Should().Be(1);
        activations.Counts.Sum().Should().Be(4);
        new[] { 36, 40, 43, 50 }.Should().AllSatisfy(bin => activations.Counts[bin].Should().Be(1));
    }

    [Fact]
    public void Pooled_variance_is_exact_for_large_offsets()
    {
        // Activations around 1e4 with spread 1: the batch-merged deviations avoid Σx² − n·x̄² cancellation.
        // 4 batches of 2 tokens, d = 1: x = 1e4 ± 1 → Σ(x − x̄)² = 8; x̂ = x + .5 → Σ|x − x̂|² = 2; EV = 1 − 2/8.
        var sae = new SaeReconstruction(1);
        for (var b = 0; b < 4; b++)
            sae.Add(Matrix(2, 1, 10001, 9999), Matrix(2, 1, 1, 1), Matrix(2, 1, 10001.5f, 9999.5f), Mask(2, 2));
        sae.Result().ExplainedVariance.Should().BeApproximately(0.75, 1e-12);
    }
}
