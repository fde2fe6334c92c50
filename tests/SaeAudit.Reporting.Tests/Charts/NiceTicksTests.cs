using SaeAudit.Reporting.Charts;

namespace SaeAudit.Reporting.Tests.Charts;

public sealed class NiceTicksTests
{
    [Theory]
    [InlineData(1, 5, 0.2)]
    [InlineData(8, 7, 2)]
    [InlineData(25.02, 7, 5)]
    [InlineData(2, 7, 0.5)]
    [InlineData(127, 7, 20)]
    [InlineData(0.01, 5, 0.002)]
    [InlineData(16385, 6, 5000)]
    public void Steps_are_1_2_5_times_a_power_of_ten(double span, int target, double expected) =>
        NiceTicks.Step(span, target).Should().BeApproximately(expected, expected * 1e-12);

    [Fact]
    public void Ticks_within_a_range_are_clean_multiples_of_the_step() =>
        NiceTicks.Within(-0.3, 0.71, 0.1).Should().Equal(-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7);

    [Fact]
    public void Snapping_widens_to_the_enclosing_ticks() =>
        NiceTicks.Snap(0.5843, 1.0112, 6).Should().Be((0.5, 1.1, 0.1));

    [Fact]
    public void Linear_labels_use_the_decimals_of_the_step_and_k_for_thousands()
    {
        NiceTicks.LinearLabels([-1, -0.5, 0, 0.5, 1], 0.5).Should().Equal("-1.0", "-0.5", "0.0", "0.5", "1.0");
        NiceTicks.LinearLabels([0, 5000, 10000, 15000], 5000).Should().Equal("0", "5k", "10k", "15k");
        NiceTicks.LinearLabels([0, 2e6, 4e6], 2e6).Should().Equal("0", "2M", "4M");
        NiceTicks.LinearLabels([0.985, 0.99, 0.995], 0.005).Should().Equal("0.985", "0.990", "0.995");
    }

    [Fact]
    public void Log_ticks_are_powers_of_ten_with_2_and_5_on_short_axes()
    {
        NiceTicks.Log(1, 1e5).Should().Equal(1, 10, 100, 1000, 1e4, 1e5);
        NiceTicks.Log(1, 100).Should().Equal(1, 2, 5, 10, 20, 50, 100);
        NiceTicks.Log(1e-5, 1e-1).Should().Equal(1e-5, 1e-4, 1e-3, 1e-2, 1e-1);
    }

    [Fact]
    public void Log_labels_are_compact()
    {
        new[] { 1, 20, 500, 1000, 2e4, 1e6, 0.1, 0.005, 1e-5 }.Select(NiceTicks.LogLabel)
            .Should().Equal("1", "20", "500", "1k", "20k", "1M", "0.1", "0.005", "1e-05");
    }
}
