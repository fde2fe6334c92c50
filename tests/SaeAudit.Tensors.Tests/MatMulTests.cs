using SaeAudit.Tensors;

namespace SaeAudit.Tensors.Tests;

public class MatMulTests
{
    private static readonly int[] Rows = [1, 3, 17, 65];
    private static readonly int[] Depths = [1, 3, 64, 257, 600];
    private static readonly int[] Columns = [1, 3, 33, 129];

    /// <summary>Float64 reference: c[i,j] = Σ a[i,p]·B[p,j] (+ bias[j]), with the error scale Σ |a[i,p]·B[p,j]|.</summary>
    private static (double[] Value, double[] Scale) Reference(Tensor a, Tensor b, bool transposeB, Tensor? bias, int m, int k, int n)
    {
        var value = new double[m * n];
        var scale = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = bias?.Data[j] ?? 0, magnitude = Math.Abs(bias?.Data[j] ?? 0);
                for (int p = 0; p < k; p++)
                {
                    double product = (double)a.Data[i * k + p] * (transposeB ? b.Data[j * k + p] : b.Data[p * n + j]);
                    sum += product;
                    magnitude += Math.Abs(product);
                }
                value[i * n + j] = sum;
                scale[i * n + j] = magnitude;
            }
        return (value, scale);
    }

    private static Tensor Run(CpuBackend backend, Tensor a, Tensor b, bool transposeB, Tensor? bias, int m, int n)
    {
        var c = TestData.Random(99, 1e6f, m, n); // garbage the GEMM must overwrite
        backend.MatMul(a, b, c, transposeB, bias);
        return c;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void MatchesFloat64ReferenceOnEdgeShapes(bool transposeB, bool withBias)
    {
        // Tolerance: 1e-5 of Σ|a·b| per element — float32 rounding of a k-term FMA chain is ~k·2⁻²⁴ of that at worst.
        var backend = new CpuBackend(2);
        int seed = 0;
        foreach (int m in Rows)
            foreach (int k in Depths)
                foreach (int n in Columns)
                {
                    var a = TestData.Random(++seed, 1f, m, k);
                    var b = transposeB ? TestData.Random(++seed, 1f, n, k) : TestData.Random(++seed, 1f, k, n);
                    var bias = withBias ? TestData.Random(++seed, 1f, n) : null;
                    var c = Run(backend, a, b, transposeB, bias, m, n);
                    var (value, scale) = Reference(a, b, transposeB, bias, m, k, n);
                    for (int e = 0; e < value.Length; e++)
                    {
                        double error = Math.Abs(c.Data[e] - value[e]);
                        if (error > 1e-5 * scale[e] + 1e-30)
                            throw new Xunit.Sdk.XunitException(
                                $"m={m} k={k} n={n} transposeB={transposeB}: element {e} = {c.Data[e]}, reference {value[e]}, error {error:E2} > 1e-5·{scale[e]:G4}");
                    }
                }
    }

    [Fact]
    public void SpansSeveralColumnBlocksAndDepthBlocks()
    {
        // n > NC and k > KC, so packed blocks and partial blocks in both directions are exercised.
        int m = 5, k = Gemm.KC * 2 + 7, n = Gemm.NC + 45;
        var a = TestData.Random(1, 1f, m, k);
        var b = TestData.Random(2, 1f, k, n);
        var bias = TestData.Random(3, 1f, n);
        var c = Run(new CpuBackend(3), a, b, false, bias, m, n);
        var (value, scale) = Reference(a, b, false, bias, m, k, n);
        for (int e = 0; e < value.Length; e++)
            Math.Abs(c.Data[e] - value[e]).Should().BeLessThanOrEqualTo(1e-5 * scale[e], $"element {e}");
    }

    [Theory]
    [InlineData(512, 768, 1536, false)]
    [InlineData(300, 520, 1100, false)]
    [InlineData(513, 128, 1031, true)]
    [InlineData(40, 64, 64, false)]
    [InlineData(7, 300, 2100, true)]
    [InlineData(2000, 33, 5, false)]
    public void IsBitIdenticalForAnyThreadCount(int m, int k, int n, bool transposeB)
    {
        var a = TestData.Random(10, 1f, m, k);
        var b = transposeB ? TestData.Random(11, 1f, n, k) : TestData.Random(11, 1f, k, n);
        var bias = TestData.Random(12, 1f, n);
        var single = Run(new CpuBackend(1), a, b, transposeB, bias, m, n);
        foreach (int threads in new[] { 2, 3, 4, 7 })
            TestData.ShouldBeBitIdentical(Run(new CpuBackend(threads), a, b, transposeB, bias, m, n), single, $"with {threads} threads");
    }

    [Fact]
    public void EveryRectangleSplitGivesTheSameBits()
    {
        // Workers compute disjoint rectangles of tiles; compute C from arbitrary, uneven rectangles and compare.
        int m = 100, k = 300, n = 200;
        var kernel = GemmKernel.For(GemmIsa.Auto);
        var a = TestData.Random(20, 1f, m, k);
        var b = TestData.Random(21, 1f, k, n);
        var bias = TestData.Random(22, 1f, n);
        var whole = Run(new CpuBackend(1), a, b, false, bias, m, n);
        int strips = (m + kernel.MR - 1) / kernel.MR, panels = (n + kernel.NR - 1) / kernel.NR;
        var pieces = Tensor.Zeros(m, n);
        unsafe
        {
            fixed (float* pa = a.Data, pb = b.Data, pc = pieces.Data, pBias = bias.Data)
            {
                var op = new GemmOperands(pa, k, pb, n, false, pc, n, pBias, m, n, k);
                int rowCut = strips / 3, colCut = panels - 1;
                Gemm.ComputeRectangle(kernel, op, 0, rowCut, 0, colCut);
                Gemm.ComputeRectangle(kernel, op, 0, rowCut, colCut, panels);
                Gemm.ComputeRectangle(kernel, op, rowCut, strips, 0, 1);
                Gemm.ComputeRectangle(kernel, op, rowCut, strips, 1, panels);
            }
        }
        TestData.ShouldBeBitIdentical(pieces, whole, "computed as four rectangles");
    }

    [Fact]
    public void RowResultDoesNotDependOnTheOtherRows()
    {
        // The k order is fixed per element, so a row alone (m = 1, all padding) equals the same row inside a batch.
        int m = 37, k = 700, n = 70;
        var a = TestData.Random(30, 1f, m, k);
        var b = TestData.Random(31, 1f, n, k);
        var bias = TestData.Random(32, 1f, n);
        var backend = new CpuBackend(2);
        var batch = Run(backend, a, b, true, bias, m, n);
        foreach (int row in new[] { 0, 13, 36 })
        {
            var single = Run(backend, new Tensor(a.Row(row).ToArray(), 1, k), b, true, bias, 1, n);
            TestData.ShouldBeBitIdentical(single, new Tensor(batch.Row(row).ToArray(), 1, n), $"row {row}");
        }
    }

    [Fact]
    public void AllKernelsGiveIdenticalBits()
    {
        int m = 45, k = 530, n = 77;
        var a = TestData.Random(40, 1f, m, k);
        var b = TestData.Random(41, 1f, k, n);
        var bias = TestData.Random(42, 1f, n);
        var portable = Run(new CpuBackend(2, GemmIsa.Portable), a, b, false, bias, m, n);
        foreach (var isa in TestData.SupportedIsas())
            TestData.ShouldBeBitIdentical(Run(new CpuBackend(2, isa), a, b, false, bias, m, n), portable, $"with the {isa} kernel");
    }

    [Fact]
    public void DegenerateShapes()
    {
        var backend = new CpuBackend(2);
        var bias = new Tensor([1f, 2f, 3f], 3);
        var c = TestData.Random(50, 1f, 2, 3);
        backend.MatMul(Tensor.Zeros(2, 0), Tensor.Zeros(0, 3), c, bias: bias);
        c.Data.Should().Equal(1f, 2f, 3f, 1f, 2f, 3f);

        backend.MatMul(Tensor.Zeros(0, 4), Tensor.Zeros(4, 3), Tensor.Zeros(0, 3)); // no rows: nothing to do
    }

    [Fact]
    public void ViewsHigherRankTensorsAsMatrices()
    {
        var a = TestData.Random(60, 1f, 2, 3, 5);
        var b = TestData.Random(61, 1f, 5, 4);
        var c = Tensor.Zeros(2, 3, 4);
        new CpuBackend(1).MatMul(a, b, c);
        var flat = Tensor.Zeros(6, 4);
        new CpuBackend(1).MatMul(a.Reshape(6, 5), b, flat);
        TestData.ShouldBeBitIdentical(c, flat, "a [2,3,5] is a [6,5] matrix");
    }

    [Fact]
    public void RejectsMismatchedShapes()
    {
        var backend = new CpuBackend(1);
        var a = Tensor.Zeros(2, 3);
        FluentActions.Invoking(() => backend.MatMul(a, Tensor.Zeros(4, 5), Tensor.Zeros(2, 5))).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => backend.MatMul(a, Tensor.Zeros(3, 5), Tensor.Zeros(2, 4))).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => backend.MatMul(a, Tensor.Zeros(5, 3), Tensor.Zeros(2, 5), transposeB: false)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => backend.MatMul(a, Tensor.Zeros(3, 5), Tensor.Zeros(2, 5), bias: Tensor.Zeros(4))).Should().Throw<ArgumentException>();
        var square = Tensor.Zeros(3, 3);
        FluentActions.Invoking(() => backend.MatMul(square, Tensor.Zeros(3, 3), square)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void PartitionBalancesTilesAndSplitsWhereLessIsPacked()
    {
        // 14×32 tiles (AVX-512). 2048 rows × 3072 columns: columns (each worker packs A once, half of B).
        Gemm.Partition(147, 96, 2, 14, 32).Should().Be((1, 2));
        // 2048 × 768 (MLP down, SAE decode): rows (a column split would make both workers pack all of A).
        Gemm.Partition(147, 24, 2, 14, 32).Should().Be((2, 1));
        // 999 × 50257 (the stacked unembedding): columns.
        Gemm.Partition(72, 1571, 2, 14, 32).Should().Be((1, 2));
        Gemm.Partition(147, 1, 2, 14, 32).Should().Be((2, 1));
        Gemm.Partition(1, 1, 8, 14, 32).Should().Be((1, 1));
        Gemm.Partition(2, 2, 3, 14, 32).Should().Be((1, 2)); // 3 workers cannot split a 2×2 grid evenly: use 2
        Gemm.Partition(100, 100, 4, 14, 32).Should().Be((1, 4));
        Gemm.Partition(100, 3, 4, 14, 32).Should().Be((4, 1));
    }
}
