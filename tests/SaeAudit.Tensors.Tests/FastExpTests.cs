using System.Runtime.Intrinsics;
using SaeAudit.Tensors;

namespace SaeAudit.Tensors.Tests;

public class FastExpTests
{
    private static float Exp(float x) => FastExp.Exp(Vector512.Create(x)).ToScalar();

    [Theory]
    [InlineData(-1f, 87.33f)]
    [InlineData(1f, 88.72f)]
    public void IsWithinTwoUlpOverTheNormalRange(float sign, float limit)
    {
        // Every 211th float from 0 to ±limit, 16 at a time: relative error < 1.5e-7 (about 1 ulp) against float64 exp.
        int end = BitConverter.SingleToInt32Bits(limit);
        var x = new float[16];
        double worst = 0;
        for (int bits = 0; bits < end; bits += 16 * 211)
        {
            for (int lane = 0; lane < 16; lane++) x[lane] = sign * BitConverter.Int32BitsToSingle(Math.Min(end, bits + lane * 211));
            var y = FastExp.Exp(Vector512.Create(x));
            for (int lane = 0; lane < 16; lane++)
            {
                double expected = Math.Exp(x[lane]);
                worst = Math.Max(worst, Math.Abs(y[lane] - expected) / expected);
            }
        }
        worst.Should().BeLessThan(1.5e-7);
    }

    [Fact]
    public void HandlesTheEdges()
    {
        Exp(0f).Should().Be(1f);
        Exp(float.NegativeInfinity).Should().Be(0f);
        Exp(-100f).Should().Be(0f, "results below float.MinNormal flush to zero");
        Exp(float.PositiveInfinity).Should().Be(float.PositiveInfinity);
        Exp(88.8f).Should().Be(float.PositiveInfinity);
        float.IsFinite(Exp(88.72f)).Should().BeTrue();
        Math.Abs(Exp(88.72f) / Math.Exp(88.72f) - 1).Should().BeLessThan(1.5e-7);
        float.IsNaN(Exp(float.NaN)).Should().BeTrue();
    }

    [Fact]
    public void ShiftedSpanGivesTheSameBitsWhereverAnElementSits()
    {
        // Full vectors and the padded tail use the same code, so position (and span length) never matters.
        var values = TestData.Random(1, 10f, 37).Data;
        var whole = (float[])values.Clone();
        FastExp.ExpShifted(whole, 1.5f);
        for (int i = 0; i < values.Length; i++)
        {
            var single = new[] { values[i] };
            FastExp.ExpShifted(single, 1.5f);
            BitConverter.SingleToInt32Bits(single[0]).Should().Be(BitConverter.SingleToInt32Bits(whole[i]), $"element {i}");
            BitConverter.SingleToInt32Bits(whole[i]).Should().Be(BitConverter.SingleToInt32Bits(Exp(values[i] - 1.5f)));
        }
    }
}
