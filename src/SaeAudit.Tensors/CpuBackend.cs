using System.Numerics.Tensors;

namespace SaeAudit.Tensors;

/// <summary>The compute engine on this CPU: packed, register-blocked SIMD GEMM (AVX-512, AVX2 or portable kernels,
/// chosen at start-up), row-parallel norms, and blocked causal attention. Deterministic: the work is split among
/// threads only by output element (rows, tiles, heads), never inside a reduction, so every result is bit-identical
/// for any thread count. Safe to call from several threads at once.</summary>
public sealed class CpuBackend : IComputeBackend
{
    /// <summary>Elements one worker takes at a time in the elementwise operations.</summary>
    private const int ElementwiseBlock = 1 << 16;

    /// <summary>GeluTanh runs in chunks of this many elements, so its temporary lives on the stack and in L1, and chunk
    /// boundaries (which may pick TensorPrimitives' vector or scalar path) never depend on threads.</summary>
    private const int ElementwiseChunk = 2048;

    private readonly GemmKernel kernel;
    private readonly ParallelOptions parallelOptions;

    /// <param name="threads">Worker threads; 0 = <see cref="Environment.ProcessorCount"/>.</param>
    public CpuBackend(int threads = 0)
        : this(threads, GemmIsa.Auto)
    {
    }

    /// <param name="threads">Worker threads; 0 = <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="isa">GEMM micro-kernel; all give identical results (tests and benchmarks pin one).</param>
    /// <exception cref="PlatformNotSupportedException">This CPU lacks <paramref name="isa"/>.</exception>
    public CpuBackend(int threads, GemmIsa isa)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        kernel = GemmKernel.For(isa);
        parallelOptions = new ParallelOptions { MaxDegreeOfParallelism = Threads };
    }

    public string Name => "cpu";

    public int Threads { get; }

    /// <summary>The GEMM micro-kernel in use, e.g. "avx512 14x32".</summary>
    public string MatMulKernel => kernel.Name;

    /// <summary>Whether this CPU runs the <paramref name="isa"/> GEMM kernel (<see cref="GemmIsa.Auto"/> and
    /// <see cref="GemmIsa.Portable"/> always).</summary>
    public static bool Supports(GemmIsa isa) => GemmKernel.IsSupported(isa);

    public void MatMul(Tensor a, Tensor b, Tensor c, bool transposeB = false, Tensor? bias = null) =>
        MatMul(a, WeightMatrix.FromTensor(b), c, transposeB, bias);

    public unsafe void MatMul(Tensor a, WeightMatrix b, Tensor c, bool transposeB = false, Tensor? bias = null)
    {
        int m = a.Rows, k = a.Columns;
        int n = transposeB ? b.Rows : b.Columns;
        if ((transposeB ? b.Columns : b.Rows) != k)
            throw new ArgumentException($"MatMul: {a} · {b}{(transposeB ? "ᵀ" : "")}: inner dimensions differ.");
        if (c.Columns != n || c.Rows != m)
            throw new ArgumentException($"MatMul: output {c} must be [{m}, {n}].");
        if (bias is not null && bias.Length != n)
            throw new ArgumentException($"MatMul: bias {bias} must have {n} values.");
        if (ReferenceEquals(c.Data, a.Data) || b.IsStoredIn(c.Data))
            throw new ArgumentException("MatMul: the output must not share memory with an input.");

        using var weights = b.Pin();
        fixed (float* pa = a.Data, pc = c.Data, pBias = bias?.Data)
        {
            var operands = new GemmOperands(pa, k, weights.Pointer, (nint)b.RowStride, transposeB, pc, n, pBias, m, n, k, b.Type);
            Gemm.Multiply(kernel, operands, Threads);
        }
    }

    public void LayerNorm(Tensor x, Tensor weight, Tensor? bias, float eps, Tensor output)
    {
        CheckRowwise(x, weight, output, nameof(LayerNorm));
        if (bias is not null && bias.Length != x.Columns)
            throw new ArgumentException($"LayerNorm: bias {bias} must have {x.Columns} values.");
        ForEachRowBlock(x, (first, count) => Normalization.LayerNorm(x, weight, bias, eps, output, first, count));
    }

    public void RmsNorm(Tensor x, Tensor weight, float eps, bool addOneToWeight, Tensor output)
    {
        CheckRowwise(x, weight, output, nameof(RmsNorm));
        var gain = Normalization.RmsGain(weight, addOneToWeight);
        ForEachRowBlock(x, (first, count) => Normalization.RmsNorm(x, gain, eps, output, first, count));
    }

    /// <remarks>Mirrors torch's float32 evaluation order: 0.5·x·(1 + tanh(c·(x + 0.044715·(x·x·x)))), each operation
    /// rounded to float32, tanh from TensorPrimitives (vectorized, within a few ulp of the correctly rounded value).</remarks>
    public void GeluTanh(Tensor x) => ForEachBlock(x.Data.Length, (start, length) =>
    {
        Span<float> scratch = stackalloc float[ElementwiseChunk];
        for (int offset = 0; offset < length; offset += ElementwiseChunk)
            Activations.GeluTanh(x.Data.AsSpan(start + offset, Math.Min(ElementwiseChunk, length - offset)), scratch);
    });

    /// <remarks>x·Φ(x) with Φ from a Chebyshev fit of erfc (relative error about 1e-7, also in the negative tail).</remarks>
    public void GeluErf(Tensor x) => ForEachBlock(x.Data.Length, (start, length) => Activations.GeluErf(x.Data.AsSpan(start, length)));

    /// <remarks>x / (1 + exp(-x)), as torch's CPU kernel, with a vectorized exp within 1 ulp.</remarks>
    public void Silu(Tensor x) => ForEachBlock(x.Data.Length, (start, length) => Activations.Silu(x.Data.AsSpan(start, length)));

    /// <remarks>Divide, tanh, multiply, each rounded to float32, as HF evaluates it.</remarks>
    public void SoftCap(Tensor x, float cap)
    {
        if (!(cap > 0)) throw new ArgumentException($"SoftCap: cap {cap} must be positive.");
        ForEachBlock(x.Data.Length, (start, length) => Activations.SoftCap(x.Data.AsSpan(start, length), cap));
    }

    public void Add(Tensor x, Tensor y)
    {
        CheckSameLength(x, y, nameof(Add));
        ForEachBlock(x.Data.Length, (start, length) =>
        {
            var target = x.Data.AsSpan(start, length);
            TensorPrimitives.Add(target, y.Data.AsSpan(start, length), target);
        });
    }

    public void Multiply(Tensor x, Tensor y)
    {
        CheckSameLength(x, y, nameof(Multiply));
        ForEachBlock(x.Data.Length, (start, length) =>
        {
            var target = x.Data.AsSpan(start, length);
            TensorPrimitives.Multiply(target, y.Data.AsSpan(start, length), target);
        });
    }

    public void CausalSelfAttention(Tensor q, Tensor k, Tensor v, Tensor output, AttentionOptions options)
    {
        Attention.Validate(q, k, v, output, options);
        For(Attention.WorkItems(options), item => Attention.ComputeHead(kernel, q, k, v, output, options, item));
    }

    /// <summary>Runs body(i) for i in [0, count) on up to <see cref="Threads"/> workers.</summary>
    private void For(int count, Action<int> body)
    {
        if (Threads == 1 || count == 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, parallelOptions, body);
    }

    /// <summary>Splits [0, length) into fixed blocks of <see cref="ElementwiseBlock"/> and runs them in parallel.</summary>
    private void ForEachBlock(int length, Action<int, int> body)
    {
        int blocks = (length + ElementwiseBlock - 1) / ElementwiseBlock;
        For(blocks, block =>
        {
            int start = block * ElementwiseBlock;
            body(start, Math.Min(ElementwiseBlock, length - start));
        });
    }

    /// <summary>Runs body(firstRow, rowCount) over blocks of about <see cref="ElementwiseBlock"/> elements.</summary>
    private void ForEachRowBlock(Tensor x, Action<int, int> body)
    {
        int rows = x.Rows;
        int rowsPerBlock = Math.Max(1, ElementwiseBlock / Math.Max(1, x.Columns));
        int blocks = (rows + rowsPerBlock - 1) / rowsPerBlock;
        For(blocks, block =>
        {
            int first = block * rowsPerBlock;
            body(first, Math.Min(rowsPerBlock, rows - first));
        });
    }

    private static void CheckRowwise(Tensor x, Tensor weight, Tensor output, string op)
    {
        if (weight.Length != x.Columns)
            throw new ArgumentException($"{op}: weight {weight} must have {x.Columns} values.");
        if (output.Length != x.Length || output.Columns != x.Columns)
            throw new ArgumentException($"{op}: output {output} must have the shape of {x}.");
    }

    private static void CheckSameLength(Tensor x, Tensor y, string op)
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"{op}: {x} and {y} differ in length.");
    }
}
