using System.Numerics.Tensors;
using SaeAudit.Tensors;

namespace SaeAudit.Tensors.Tests;

public class ElementwiseTests
{
    /// <summary>erfc in float64: the positive series of erf (no cancellation) below 2, the continued fraction above;
    /// within 1e-12 relative of the exact value.</summary>
    private static double Erfc(double x)
    {
        if (x < 0) return 2 - Erfc(-x);
        if (x < 2)
        {
            double term = x, sum = x;
            for (int n = 1; term > 1e-17 * sum; n++)
            {
                term *= 2 * x * x / (2 * n + 1);
                sum += term;
            }
            return 1 - 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x) * sum;
        }
        double fraction = x;
        for (int k = 100; k >= 1; k--) fraction = x + k / 2.0 / fraction;
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / fraction;
    }

    private static double GeluTanh(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    [Fact]
    public void GeluTanhKnownValues()
    {
        // torch.nn.functional.gelu(x, approximate="tanh") in float64.
        var x = new Tensor([0f, 1f, -1f, 2f, -3f], 5);
        new CpuBackend(1).GeluTanh(x);
        x.Data.Should().Equal(new[] { 0f, 0.8411920f, -0.1588080f, 1.9545977f, -0.0036373f }, (got, want) => Math.Abs(got - want) <= 1e-6f);
    }

    [Fact]
    public void GeluTanhMatchesFloat64()
    {
        // Float32 evaluation: a few ulp of tanh near ±1, i.e. ~1e-6 of |x| where 1 + tanh cancels.
        var x = TestData.Random(1, 8f, 100_003);
        var input = (float[])x.Data.Clone();
        new CpuBackend(2).GeluTanh(x);
        for (int i = 0; i < input.Length; i++)
            Math.Abs(x.Data[i] - GeluTanh(input[i])).Should().BeLessThanOrEqualTo(1e-6 * Math.Max(Math.Abs(input[i]), 1e-3), $"x = {input[i]}");
    }

    [Fact]
    public void SiluMatchesFloat64()
    {
        var x = TestData.Random(2, 20f, 70_001);
        var input = (float[])x.Data.Clone();
        new CpuBackend(2).Silu(x);
        for (int i = 0; i < input.Length; i++)
        {
            double expected = input[i] / (1 + Math.Exp(-input[i]));
            Math.Abs(x.Data[i] - expected).Should().BeLessThanOrEqualTo(1e-6 * Math.Abs(expected) + 1e-30, $"x = {input[i]}");
        }
    }

    [Fact]
    public void GeluErfKnownValues()
    {
        // torch.nn.functional.gelu(x) (exact erf) in float64.
        var x = new Tensor([0f, 1f, -1f, 2f, -3f], 5);
        new CpuBackend(1).GeluErf(x);
        x.Data.Should().Equal(new[] { 0f, 0.8413447f, -0.1586553f, 1.9544997f, -0.0040497f }, (got, want) => Math.Abs(got - want) <= 1e-6f);
    }

    [Fact]
    public void GeluErfMatchesFloat64WithRelativeAccuracyInTheNegativeTail()
    {
        // z = |x|/√2 is rounded to float32 before exp(-z²), so the relative error grows like z²·1e-7 in the tail.
        var x = TestData.Random(6, 10f, 100_003);
        TensorPrimitives.Add(x.Data, -2f, x.Data); // [-12, 8): down to where Φ(x) is about 1e-33
        var input = (float[])x.Data.Clone();
        new CpuBackend(2).GeluErf(x);
        for (int i = 0; i < input.Length; i++)
        {
            double expected = input[i] * 0.5 * Erfc(-input[i] / Math.Sqrt(2));
            double z2 = input[i] * (double)input[i] / 2;
            Math.Abs(x.Data[i] - expected).Should().BeLessThanOrEqualTo(1e-6 * Math.Max(1, z2) * Math.Abs(expected) + 1e-37, $"x = {input[i]}");
        }
    }

    [Fact]
    public void SoftCapMatchesFloat64AndRejectsANonPositiveCap()
    {
        var x = TestData.Random(7, 40f, 70_001);
        var input = (float[])x.Data.Clone();
        new CpuBackend(2).SoftCap(x, 30f);
        for (int i = 0; i < input.Length; i++)
            Math.Abs(x.Data[i] - 30 * Math.Tanh(input[i] / 30.0)).Should().BeLessThanOrEqualTo(1e-5, $"x = {input[i]}");
        FluentActions.Invoking(() => new CpuBackend(1).SoftCap(x, 0f)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void AddAndMultiplyAreElementwise()
    {
        var backend = new CpuBackend(2);
        var x = TestData.Random(3, 1f, 150_000);
        var y = TestData.Random(4, 1f, 150_000);
        var sum = TestData.Copy(x);
        backend.Add(sum, y);
        var product = TestData.Copy(x);
        backend.Multiply(product, y);
        for (int i = 0; i < x.Data.Length; i++)
        {
            sum.Data[i].Should().Be(x.Data[i] + y.Data[i]);
            product.Data[i].Should().Be(x.Data[i] * y.Data[i]);
        }
        FluentActions.Invoking(() => backend.Add(x, Tensor.Zeros(3))).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => backend.Multiply(x, Tensor.Zeros(3))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void ActivationsAreBitIdenticalForAnyThreadCount()
    {
        var x = TestData.Random(5, 6f, 3 * 65_536 + 37);
        var gelu = TestData.Copy(x);
        var silu = TestData.Copy(x);
        var geluErf = TestData.Copy(x);
        var capped = TestData.Copy(x);
        new CpuBackend(1).GeluTanh(gelu);
        new CpuBackend(1).Silu(silu);
        new CpuBackend(1).GeluErf(geluErf);
        new CpuBackend(1).SoftCap(capped, 5f);
        foreach (int threads in new[] { 2, 3, 4 })
        {
            var output = TestData.Copy(x);
            new CpuBackend(threads).GeluTanh(output);
            TestData.ShouldBeBitIdentical(output, gelu, $"GeluTanh with {threads} threads");
            output = TestData.Copy(x);
            new CpuBackend(threads).Silu(output);
            TestData.ShouldBeBitIdentical(output, silu, $"Silu with {threads} threads");
            output = TestData.Copy(x);
            new CpuBackend(threads).GeluErf(output);
            TestData.ShouldBeBitIdentical(output, geluErf, $"GeluErf with {threads} threads");
            output = TestData.Copy(x);
            new CpuBackend(threads).SoftCap(output, 5f);
            TestData.ShouldBeBitIdentical(output, capped, $"SoftCap with {threads} threads");
        }
    }

    [Fact]
    public void BackendDescribesItself()
    {
        var backend = new CpuBackend();
        backend.Name.Should().Be("cpu");
        backend.Threads.Should().Be(Environment.ProcessorCount);
        new CpuBackend(3).Threads.Should().Be(3);
        backend.MatMulKernel.Should().NotBeNullOrEmpty();
        FluentActions.Invoking(() => new CpuBackend(-1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new CpuBackend(1, (GemmIsa)42)).Should().Throw<ArgumentOutOfRangeException>();
        CpuBackend.Supports(GemmIsa.Portable).Should().BeTrue();
        CpuBackend.Supports(GemmIsa.Auto).Should().BeTrue();
    }
}
