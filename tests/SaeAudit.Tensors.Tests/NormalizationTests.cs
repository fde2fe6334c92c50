using SaeAudit.Tensors;

namespace SaeAudit.Tensors.Tests;

public class NormalizationTests
{
    [Fact]
    public void LayerNormOfAHandWorkedRow()
    {
        // mean 2.5, biased variance 1.25: (x - 2.5) / √1.25 = ±0.4472136, ±1.3416408; then ·2 + 1.
        var x = new Tensor([1f, 2f, 3f, 4f], 1, 4);
        var output = Tensor.Zeros(1, 4);
        new CpuBackend(1).LayerNorm(x, new Tensor([2f, 2f, 2f, 2f], 4), new Tensor([1f, 1f, 1f, 1f], 4), 0f, output);
        output.Data.Should().Equal(new[] { 1 - 2.6832816f, 1 - 0.8944272f, 1 + 0.8944272f, 1 + 2.6832816f },
            (got, want) => Math.Abs(got - want) <= 1e-6f);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 17)]
    [InlineData(33, 768)]
    [InlineData(3, 2307)]
    public void LayerNormMatchesFloat64(int rows, int width)
    {
        // Offset rows (mean 3) check the two-pass variance; tolerance 2 ulp-ish of the float32 result.
        var x = TestData.Random(1, 2f, rows, width);
        for (int i = 0; i < x.Data.Length; i++) x.Data[i] += 3f;
        var weight = TestData.Random(2, 1.5f, width);
        var bias = TestData.Random(3, 0.5f, width);
        const float eps = 1e-5f;
        var output = Tensor.Zeros(rows, width);
        new CpuBackend(2).LayerNorm(x, weight, bias, eps, output);
        for (int r = 0; r < rows; r++)
        {
            var row = x.Row(r).ToArray();
            double mean = row.Average(value => (double)value);
            double variance = row.Average(value => (value - mean) * (value - mean));
            for (int j = 0; j < width; j++)
            {
                double expected = (row[j] - mean) / Math.Sqrt(variance + eps) * weight.Data[j] + bias.Data[j];
                double scale = Math.Abs((row[j] - mean) / Math.Sqrt(variance + eps) * weight.Data[j]) + Math.Abs(bias.Data[j]);
                Math.Abs(output.Data[r * width + j] - expected).Should().BeLessThanOrEqualTo(3e-7 * scale + 1e-30, $"row {r}, column {j}");
            }
        }
    }

    [Fact]
    public void LayerNormWithoutBiasAndInPlace()
    {
        var x = TestData.Random(4, 1f, 6, 50);
        var weight = TestData.Random(5, 1f, 50);
        var separate = Tensor.Zeros(6, 50);
        var backend = new CpuBackend(1);
        backend.LayerNorm(x, weight, null, 1e-6f, separate);
        backend.LayerNorm(x, weight, null, 1e-6f, x);
        TestData.ShouldBeBitIdentical(x, separate, "in place");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RmsNormMatchesFloat64(bool addOneToWeight)
    {
        int rows = 7, width = 300;
        var x = TestData.Random(6, 3f, rows, width);
        var weight = TestData.Random(7, 1f, width);
        const float eps = 1e-6f;
        var output = Tensor.Zeros(rows, width);
        new CpuBackend(2).RmsNorm(x, weight, eps, addOneToWeight, output);
        for (int r = 0; r < rows; r++)
        {
            var row = x.Row(r).ToArray();
            double rms = Math.Sqrt(row.Average(value => (double)value * value) + eps);
            for (int j = 0; j < width; j++)
            {
                double gain = addOneToWeight ? 1.0 + weight.Data[j] : weight.Data[j];
                double expected = row[j] / rms * gain;
                Math.Abs(output.Data[r * width + j] - expected).Should().BeLessThanOrEqualTo(3e-7 * Math.Abs(expected) + 1e-30, $"row {r}, column {j}");
            }
        }
    }

    [Fact]
    public void RmsNormOfAHandWorkedRow()
    {
        // mean(x²) = (9 + 16) / 2 = 12.5 → x / √12.5 = 0.8485281, 1.1313709; Gemma gain 1 + 1 = 2.
        var x = new Tensor([3f, 4f], 1, 2);
        new CpuBackend(1).RmsNorm(x, new Tensor([1f, 1f], 2), 0f, addOneToWeight: true, x);
        x.Data.Should().Equal(new[] { 1.6970563f, 2.2627418f }, (got, want) => Math.Abs(got - want) <= 1e-6f);
    }

    [Fact]
    public void NormsAreBitIdenticalForAnyThreadCount()
    {
        var x = TestData.Random(8, 4f, 300, 768);
        var weight = TestData.Random(9, 1f, 768);
        var bias = TestData.Random(10, 1f, 768);
        var layerNorm = Tensor.Zeros(300, 768);
        var rmsNorm = Tensor.Zeros(300, 768);
        new CpuBackend(1).LayerNorm(x, weight, bias, 1e-5f, layerNorm);
        new CpuBackend(1).RmsNorm(x, weight, 1e-5f, true, rmsNorm);
        foreach (int threads in new[] { 2, 3, 4 })
        {
            var output = Tensor.Zeros(300, 768);
            new CpuBackend(threads).LayerNorm(x, weight, bias, 1e-5f, output);
            TestData.ShouldBeBitIdentical(output, layerNorm, $"LayerNorm with {threads} threads");
            new CpuBackend(threads).RmsNorm(x, weight, 1e-5f, true, output);
            TestData.ShouldBeBitIdentical(output, rmsNorm, $"RmsNorm with {threads} threads");
        }
    }

    [Fact]
    public void RejectsMismatchedShapes()
    {
        var backend = new CpuBackend(1);
        var x = Tensor.Zeros(2, 4);
        FluentActions.Invoking(() => backend.LayerNorm(x, Tensor.Zeros(3), null, 1e-5f, x)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => backend.LayerNorm(x, Tensor.Zeros(4), Tensor.Zeros(3), 1e-5f, x)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => backend.RmsNorm(x, Tensor.Zeros(4), 1e-5f, false, Tensor.Zeros(2, 5))).Should().Throw<ArgumentException>();
    }
}
