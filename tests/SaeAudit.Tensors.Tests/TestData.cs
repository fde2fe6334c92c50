using SaeAudit.Tensors;

namespace SaeAudit.Tensors.Tests;

internal static class TestData
{
    /// <summary>A tensor of uniform values in [-scale, scale), reproducible from <paramref name="seed"/>.</summary>
    public static Tensor Random(int seed, float scale, params int[] shape)
    {
        var rng = new Random(seed);
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Data.Length; i++) t.Data[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return t;
    }

    public static Tensor Copy(Tensor t) => new((float[])t.Data.Clone(), (int[])t.Shape.Clone());

    /// <summary>Asserts two tensors hold the same float bit patterns (not merely equal values).</summary>
    public static void ShouldBeBitIdentical(Tensor actual, Tensor expected, string because)
    {
        actual.Data.Length.Should().Be(expected.Data.Length, because);
        for (int i = 0; i < actual.Data.Length; i++)
        {
            int got = BitConverter.SingleToInt32Bits(actual.Data[i]), want = BitConverter.SingleToInt32Bits(expected.Data[i]);
            if (got != want)
                throw new Xunit.Sdk.XunitException(
                    $"Element {i} differs: {actual.Data[i]:R} vs {expected.Data[i]:R} (bits {got:X8} vs {want:X8}) {because}.");
        }
    }

    /// <summary>The GEMM instruction sets this CPU runs (always includes the portable one).</summary>
    public static IEnumerable<GemmIsa> SupportedIsas() =>
        new[] { GemmIsa.Avx512, GemmIsa.Avx2, GemmIsa.Portable }.Where(CpuBackend.Supports);
}
