using SaeAudit.Tensors;

namespace SaeAudit.Tensors.Tests;

public class ElementwiseTests
{
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
        new CpuBackend(1).GeluTanh(gelu);
        new CpuBackend(1).Silu(silu);
        foreach (int threads in new[] { 2, 3, 4 })
        {
            var output = TestData.Copy(x);
            new CpuBackend(threads).GeluTanh(output);
            TestData.ShouldBeBitIdentical(output, gelu, $"GeluTanh with {threads} threads");
            output = TestData.Copy(x);
            new CpuBackend(threads).Silu(output);
            TestData.ShouldBeBitIdentical(output, silu, $"Silu with {threads} threads");
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
