using SaeAudit.Evaluation.Metrics;

namespace SaeAudit.Evaluation.Tests.Metrics;

public class FeatureDensitiesTests
{
    [Fact]
    public void Born_died_dead_both_and_log_density_correlation()
    {
        // n = 1000 kept tokens. Features: 0 dead in both; 1 born (dead in B only); 2 died (dead in F only);
        // 3-5 alive in both with ρ_B = 10^[−3,−2,−1], ρ_F = 10^[−1,−3,−2].
        // log ρ deviations from the mean −2: a = [−1,0,1], b = [1,−1,0] → cov −1, Σa² = Σb² = 2 → r = −.5.
        long[] countsBase = [0, 0, 7, 1, 10, 100];
        long[] countsFinetune = [0, 3, 0, 100, 1, 10];
        var r = FeatureDensities.Compute(countsBase, countsFinetune, 1000);
        r.Born.Should().Be(1);
        r.Died.Should().Be(1);
        r.DeadBoth.Should().Be(1);
        r.LogDensityPearson.Should().BeApproximately(-0.5, 1e-12);
    }

    [Fact]
    public void Fewer_than_two_features_alive_in_both_give_no_correlation()
    {
        FeatureDensities.Compute([5, 0], [5, 1], 10).LogDensityPearson.Should().Be(double.NaN);
    }
}
