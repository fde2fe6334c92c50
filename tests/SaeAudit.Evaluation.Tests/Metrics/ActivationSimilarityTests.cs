using SaeAudit.Evaluation.Manifests;
using SaeAudit.Evaluation.Metrics;
using SaeAudit.Models;
using static SaeAudit.Evaluation.Tests.Metrics.MetricsTestData;

namespace SaeAudit.Evaluation.Tests.Metrics;

public class ActivationSimilarityTests
{
    [Fact]
    public void Cos_dist_curves_and_counts_over_kept_tokens()
    {
        // 2 rows × 3 positions, d = 2, position 0 is BOS (id 9, special). Absolute τ = 5.5.
        //   r0p0 BOS  xB [1,0] xF [0,1]   cos 0,    dist √2   (curve only)
        //   r0p1      xB [1,0] xF [1,0]   cos 1,    dist 0
        //   r0p2      xB [3,4] xF [4,3]   cos 24/25, dist √2
        //   r1p0 BOS  xB [1,0] xF [1,0]   cos 1,    dist 0    (curve only)
        //   r1p1      xB [0,6] xF [0,-6]  |xB| = 6 > 5.5: outlier, left out everywhere
        //   r1p2      xB [1,1] xF [2,2]   cos 1,    dist √2
        // Kept cos 1, .96, 1: mean 2.96/3; kept dist 0, √2, √2: mean 2√2/3, population std 2/3.
        // Curves: p0 (0+1)/2, (√2+0)/2; p1 1, 0; p2 (.96+1)/2, √2.
        var filter = OutlierFilter.Calibrate(new OutlierSpec(OutlierMode.Absolute, 5.5, null, 32), [1.0, 2.0], [1.0, 2.0]);
        var xB = Matrix(6, 2, 1, 0, 1, 0, 3, 4, 1, 0, 0, 6, 1, 1);
        var xF = Matrix(6, 2, 0, 1, 1, 0, 4, 3, 1, 0, 0, -6, 2, 2);
        var mask = TokenMask.Create(new TokenBatch([9, 1, 2, 9, 3, 4], 2, 3), new HashSet<int> { 9 }, xB, xF, filter);
        var similarity = new ActivationSimilarity(3, filter);
        similarity.Add(xB, xF, mask);

        var r = similarity.Result();
        var cosMean = 2.96 / 3;
        r.CosMean.Should().BeApproximately(cosMean, 1e-15);
        r.CosStd.Should().BeApproximately(Math.Sqrt((2 * (1 - cosMean) * (1 - cosMean) + (0.96 - cosMean) * (0.96 - cosMean)) / 3), 1e-15);
        r.DistMean.Should().BeApproximately(2 * Math.Sqrt(2) / 3, 1e-15);
        r.DistStd.Should().BeApproximately(2.0 / 3, 1e-15);
        r.CosByPosition.Should().Equal([0.5, 1, 0.98], (a, e) => Math.Abs(a - e) < 1e-15);
        r.DistByPosition.Should().Equal([Math.Sqrt(2) / 2, 0, Math.Sqrt(2)], (a, e) => Math.Abs(a - e) < 1e-15);
        r.OutlierFraction.Should().Be(0.25); // 1 outlier of 4 non-special tokens
        (r.TauBase, r.TauFinetune).Should().Be((5.5, 5.5));
        similarity.Tokens().Should().Be(new TokensResult(2, 3, 1));

        // Histograms hold the kept tokens only: cos 1, 1 in the last bin; dist range [0, 4 × median 1.5] = [0, 6]
        // in bins of .06: 0 → bin 0, √2 ≈ 1.414 → bin 23.
        r.CosHistogram.Counts.Sum().Should().Be(3);
        r.CosHistogram.Counts[99].Should().Be(2);
        r.DistHistogram.Edges[^1].Should().Be(6);
        r.DistHistogram.Counts[0].Should().Be(1);
        r.DistHistogram.Counts[23].Should().Be(2);
    }

    [Fact]
    public void A_position_without_tokens_is_nan()
    {
        // One row of 2: position 0 is a non-special outlier (prepend_bos false), so no token reaches its curve.
        var filter = OutlierFilter.Calibrate(OutlierSpec.None, [1.0], [1.0]);
        var similarity = new ActivationSimilarity(2, filter);
        similarity.Add(Matrix(2, 1, 1, 1), Matrix(2, 1, 1, 2), Mask(2, 2, outliers: [0]));
        var r = similarity.Result();
        r.CosByPosition[0].Should().Be(double.NaN);
        r.CosByPosition[1].Should().Be(1);
        r.DistByPosition[1].Should().Be(1);
    }
}
