using SaeAudit.Evaluation.Metrics;

namespace SaeAudit.Evaluation.Tests.Metrics;

public class StatisticsTests
{
    [Fact]
    public void Median_of_an_even_count_is_the_mean_of_the_two_middle_values()
    {
        Statistics.Median([3.0, 1, 2]).Should().Be(2);
        Statistics.Median([4.0, 1, 3, 2]).Should().Be(2.5);
        Statistics.Median([]).Should().Be(double.NaN);
    }

    [Fact]
    public void Pearson_matches_a_hand_computation()
    {
        // a = [1,2,3], b = [2,4,7]: da = [-1,0,1], db = [-7/3,-1/3,8/3]; cov = 5, Σda² = 2, Σdb² = 114/9;
        // r = 5 / sqrt(2·114/9) = 15 / sqrt(228).
        Statistics.Pearson([1.0, 2, 3], [2.0, 4, 7]).Should().BeApproximately(15 / Math.Sqrt(228), 1e-15);
        Statistics.PearsonFromSums(3, 6, 13, 14, 69, 31).Should().BeApproximately(15 / Math.Sqrt(228), 1e-14);
    }

    [Fact]
    public void Pearson_of_a_constant_vector_is_undefined()
    {
        Statistics.Pearson([1.0, 1, 1], [2.0, 4, 7]).Should().Be(double.NaN);
        // A constant 0.3 over 1000 samples: Σa² − (Σa)²/n is rounding noise, not variance.
        var a = Enumerable.Repeat((double)0.3f, 1000).ToArray();
        double sum = a.Sum(), squares = a.Sum(v => v * v);
        Statistics.PearsonFromSums(1000, sum, 500, squares, 1000, 0.3 * 500).Should().Be(double.NaN);
    }

    [Fact]
    public void Float64_widen_and_norm_of_float32_values()
    {
        var floats = Enumerable.Range(0, 37).Select(i => (float)(i * 0.1 - 1)).ToArray();
        var doubles = new double[floats.Length];
        Statistics.Widen(floats, doubles);
        doubles.Should().Equal(floats.Select(f => (double)f));
        Statistics.Norm([3f, 4f]).Should().Be(5);
    }

    [Fact]
    public void Nonzero_scan_visits_every_nonzero_bit_pattern_in_order()
    {
        // 20 entries (past one vector width): nonzero at 1, 8, 19; −0 at 5 has a nonzero bit pattern.
        var f = new float[20];
        (f[1], f[5], f[8], f[19]) = (0.5f, -0f, -2, 1e-30f);
        var visited = new List<int>();
        for (var i = Statistics.NextNonzero(f, -1); i >= 0; i = Statistics.NextNonzero(f, i)) visited.Add(i);
        visited.Should().Equal(1, 5, 8, 19);
        Statistics.NextNonzero(new float[3], -1).Should().Be(-1);
    }

    [Fact]
    public void Running_moments_give_the_population_std()
    {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population variance 4.
        var moments = new RunningMoments();
        foreach (var v in new double[] { 2, 4, 4, 4, 5, 5, 7, 9 }) moments.Add(v);
        moments.Mean.Should().BeApproximately(5, 1e-15);
        moments.PopulationStd.Should().BeApproximately(2, 1e-15);
    }
}
