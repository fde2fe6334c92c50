using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SaeAudit.Tensors;

/// <summary>Operands of one GEMM c[m,n] = a[m,k]·B (+ bias[n]) as raw pointers with row strides (leading dimensions),
/// so callers can pass sub-matrices such as one attention head. B may be float32, BF16 or F16 (<see cref="BType"/>);
/// it is widened to float32 when packed. The memory must stay pinned for the call.</summary>
internal readonly unsafe struct GemmOperands(
    float* a, nint lda, void* b, nint ldb, bool transposeB, float* c, nint ldc, float* bias, int m, int n, int k,
    WeightType bType = WeightType.Float32)
{
    public float* A { get; } = a;
    public nint Lda { get; } = lda;

    /// <summary>b[k,n] with row stride <see cref="Ldb"/> (in elements), or b[n,k] when <see cref="TransposeB"/>.</summary>
    public void* B { get; } = b;
    public nint Ldb { get; } = ldb;
    public bool TransposeB { get; } = transposeB;
    public WeightType BType { get; } = bType;
    public float* C { get; } = c;
    public nint Ldc { get; } = ldc;

    /// <summary>bias[n], or null.</summary>
    public float* Bias { get; } = bias;
    public int M { get; } = m;
    public int N { get; } = n;
    public int K { get; } = k;
}

/// <summary>Blocked, packed GEMM (GotoBLAS/BLIS loop structure) around a <see cref="GemmKernel"/>.
/// Determinism: every element of C is reduced over k in the same order — blocks of <see cref="KC"/> from k = 0, each
/// block an FMA chain in k order added to C — whatever m, the tile position, the thread count or the work split.
/// Threads split C into disjoint rectangles and never split k; edge tiles run the same kernel on zero-padded
/// packs. Results are even identical across the kernels' instruction sets.</summary>
internal static unsafe class Gemm
{
    /// <summary>Depth of one packed block: a KC×MR strip of A (14 KiB at MR 14) stays in L1 across a whole B block.</summary>
    public const int KC = 256;

    /// <summary>Columns of one packed B block: KC×NC floats = 1 MiB stays in a core's L2. A multiple of every NR.</summary>
    public const int NC = 1024;

    /// <summary>Below this many multiply-adds a GEMM runs on the calling thread (the fork costs more than it saves).</summary>
    private const long ParallelThreshold = 1L << 18;

    public static void Multiply(GemmKernel kernel, in GemmOperands op, int threads)
    {
        if (op.M == 0 || op.N == 0) return;
        if (op.K == 0)
        {
            FillWithBias(op);
            return;
        }

        int strips = Ceiling(op.M, kernel.MR), panels = Ceiling(op.N, kernel.NR);
        if ((long)op.M * op.N * op.K < ParallelThreshold) threads = 1;
        var (rowParts, colParts) = Partition(strips, panels, threads, kernel.MR, kernel.NR);
        if (rowParts * colParts == 1)
        {
            ComputeRectangle(kernel, op, 0, strips, 0, panels);
            return;
        }

        var operands = op;
        Parallel.For(0, rowParts * colParts, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
        {
            int r = part / colParts, c = part % colParts;
            ComputeRectangle(kernel, operands,
                (int)((long)r * strips / rowParts), (int)((long)(r + 1) * strips / rowParts),
                (int)((long)c * panels / colParts), (int)((long)(c + 1) * panels / colParts));
        });
    }

    /// <summary>Splits the strips×panels tile grid into rowParts×colParts rectangles, one per worker, minimising the
    /// largest worker's cost: its tiles' multiply-adds plus what it packs, for every worker packs all of A's rows in
    /// its rectangle once per NC block of its columns and all of B's columns in it. So a tall, narrow C (N = d_model)
    /// is split by rows, a wide one (an unembedding) by columns.</summary>
    internal static (int RowParts, int ColParts) Partition(int strips, int panels, int threads, int mr, int nr)
    {
        for (int workers = Math.Min(threads, strips * panels); workers > 1; workers--)
        {
            (int, int) best = (0, 0);
            long bestCost = long.MaxValue;
            for (int colParts = workers; colParts >= 1; colParts--)
            {
                if (workers % colParts != 0) continue;
                int rowParts = workers / colParts;
                if (rowParts > strips || colParts > panels) continue;
                long rows = (long)Ceiling(strips, rowParts) * mr, columns = (long)Ceiling(panels, colParts) * nr;
                // Per unit of K: multiply-adds, and packed elements weighted by PackCost.
                long cost = rows * columns + PackCost * (rows * Ceiling((int)columns, NC) + columns);
                if (cost < bestCost) (best, bestCost) = ((rowParts, colParts), cost);
            }
            if (bestCost != long.MaxValue) return best;
        }
        return (1, 1);
    }

    /// <summary>Packing one element costs about as much as this many multiply-adds in the kernel (a 16-lane FMA does
    /// 16 per half cycle; packing moves or transposes an element from memory in about one).</summary>
    private const int PackCost = 32;

    /// <summary>Computes C over row strips [strip0, strip1) and column panels [panel0, panel1) on this thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ComputeRectangle(GemmKernel kernel, in GemmOperands op, int strip0, int strip1, int panel0, int panel1)
    {
        int mr = kernel.MR, nr = kernel.NR;
        int rowEnd = Math.Min(op.M, strip1 * mr), colEnd = Math.Min(op.N, panel1 * nr);
        using var lease = GemmScratch.Rent();
        var scratch = lease.Scratch;
        float* packedA = scratch.PackedA, packedB = scratch.PackedB;

        for (int jc = panel0 * nr; jc < colEnd; jc += NC)
        {
            int nc = Math.Min(NC, colEnd - jc);
            for (int pc = 0; pc < op.K; pc += KC)
            {
                int kc = Math.Min(KC, op.K - pc);
                bool accumulate = pc > 0;
                float* bias = pc + kc == op.K ? op.Bias : null;
                PackB(op, pc, kc, jc, nc, nr, packedB, scratch);

                for (int ir = strip0 * mr; ir < rowEnd; ir += mr)
                {
                    int rows = Math.Min(mr, rowEnd - ir);
                    PackTransposed(op.A + ir * op.Lda + pc, op.Lda, rows, kc, mr, packedA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        float* tile = op.C + ir * op.Ldc + jc + jr;
                        float* tileBias = bias == null ? null : bias + jc + jr;
                        if (rows == mr && cols == nr)
                            kernel.Run(packedA, packedB + jr * kc, kc, tile, op.Ldc, accumulate, tileBias);
                        else
                            EdgeTile(kernel, packedA, packedB + jr * kc, kc, tile, op.Ldc, rows, cols, accumulate, tileBias, scratch.Edge);
                    }
                }
            }
        }
    }

    /// <summary>A partial tile: the kernel computes the full padded tile into a buffer, and only the valid part
    /// is added to C, with the same operations in the same order as the kernel's own epilogue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void EdgeTile(GemmKernel kernel, float* packedA, float* packedB, int kc, float* tile, nint ldc,
        int rows, int cols, bool accumulate, float* bias, float* buffer)
    {
        kernel.Run(packedA, packedB, kc, buffer, kernel.NR, false, null);
        for (int i = 0; i < rows; i++)
        {
            float* src = buffer + i * kernel.NR, dst = tile + i * ldc;
            for (int j = 0; j < cols; j++)
            {
                float value = src[j];
                if (accumulate) value += dst[j];
                if (bias != null) value += bias[j];
                dst[j] = value;
            }
        }
    }

    /// <summary>Packs B[pc..pc+kc, jc..jc+nc) into ⌈nc/nr⌉ panels of kc×nr (k-major), zero-padding the last panel.
    /// 16-bit B is widened here, so the kernels — and the order of every reduction — are those of float32 B.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackB(in GemmOperands op, int pc, int kc, int jc, int nc, int nr, float* packed, GemmScratch scratch)
    {
        if (op.BType != WeightType.Float32)
        {
            PackWidenedB(op, pc, kc, jc, nc, nr, packed, scratch.Widened);
            return;
        }
        var b = (float*)op.B;
        if (op.TransposeB)
        {
            for (int jr = 0; jr < nc; jr += nr)
                PackTransposed(b + (jc + jr) * op.Ldb + pc, op.Ldb, Math.Min(nr, nc - jr), kc, nr, packed + jr * kc);
            return;
        }

        for (int p = 0; p < kc; p++)
        {
            float* src = b + (pc + p) * op.Ldb + jc;
            for (int jr = 0; jr < nc; jr += nr)
            {
                int cols = Math.Min(nr, nc - jr);
                float* dst = packed + jr * kc + p * nr;
                Unsafe.CopyBlockUnaligned(dst, src + jr, (uint)cols * sizeof(float));
                if (cols < nr) Unsafe.InitBlockUnaligned(dst + cols, 0, (uint)(nr - cols) * sizeof(float));
            }
        }
    }

    /// <summary><see cref="PackB"/> for BF16/F16: a transposed panel's rows are widened into a float32 block first and
    /// packed from there; rows of a plain B are widened straight into the panels.</summary>
    private static void PackWidenedB(in GemmOperands op, int pc, int kc, int jc, int nc, int nr, float* packed, float* block)
    {
        var b = (ushort*)op.B;
        if (op.TransposeB)
        {
            for (int jr = 0; jr < nc; jr += nr)
            {
                int rows = Math.Min(nr, nc - jr);
                for (int r = 0; r < rows; r++)
                    op.BType.Widen(b + (jc + jr + r) * op.Ldb + pc, block + r * kc, kc);
                PackTransposed(block, kc, rows, kc, nr, packed + jr * kc);
            }
            return;
        }

        for (int p = 0; p < kc; p++)
        {
            ushort* src = b + (pc + p) * op.Ldb + jc;
            for (int jr = 0; jr < nc; jr += nr)
            {
                int cols = Math.Min(nr, nc - jr);
                float* dst = packed + jr * kc + p * nr;
                op.BType.Widen(src + jr, dst, cols);
                if (cols < nr) Unsafe.InitBlockUnaligned(dst + cols, 0, (uint)(nr - cols) * sizeof(float));
            }
        }
    }

    /// <summary>dst[p·width + r] = src[r·ld + p] for r &lt; rows, p &lt; kc; rows rows..width are zero.
    /// Packs an A strip (rows of A become k-major) and, for transposed B, a B panel. With AVX it moves 8×8 blocks
    /// through registers; the 8-wide stores of a partial top group spill up to 7 floats into the next k's first rows,
    /// which the lower groups (stored after it) overwrite — and past the end, into the buffers' slack.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackTransposed(float* src, nint ld, int rows, int kc, int width, float* dst)
    {
        int p = 0;
        if (Avx.IsSupported)
        {
            for (; p + 8 <= kc; p += 8)
                for (int r0 = (width - 1) & ~7; r0 >= 0; r0 -= 8)
                    Transpose8x8(src + r0 * ld + p, ld, rows - r0, dst + p * width + r0, width);
        }
        for (; p < kc; p++)
        {
            float* column = dst + p * width;
            for (int r = 0; r < rows; r++) column[r] = src[r * ld + p];
            for (int r = rows; r < width; r++) column[r] = 0f;
        }
    }

    /// <summary>Stores the transpose of the 8×8 block at src (rows beyond <paramref name="validRows"/> read as zero)
    /// as 8 rows of 8 at dst, dst + ldd, ...</summary>
    private static void Transpose8x8(float* src, nint ld, int validRows, float* dst, nint ldd)
    {
        var r0 = LoadRow(src, ld, 0, validRows); var r1 = LoadRow(src, ld, 1, validRows);
        var r2 = LoadRow(src, ld, 2, validRows); var r3 = LoadRow(src, ld, 3, validRows);
        var r4 = LoadRow(src, ld, 4, validRows); var r5 = LoadRow(src, ld, 5, validRows);
        var r6 = LoadRow(src, ld, 6, validRows); var r7 = LoadRow(src, ld, 7, validRows);

        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);

        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Permute2x128(u0, u4, 0x20).Store(dst);
        Avx.Permute2x128(u1, u5, 0x20).Store(dst + ldd);
        Avx.Permute2x128(u2, u6, 0x20).Store(dst + 2 * ldd);
        Avx.Permute2x128(u3, u7, 0x20).Store(dst + 3 * ldd);
        Avx.Permute2x128(u0, u4, 0x31).Store(dst + 4 * ldd);
        Avx.Permute2x128(u1, u5, 0x31).Store(dst + 5 * ldd);
        Avx.Permute2x128(u2, u6, 0x31).Store(dst + 6 * ldd);
        Avx.Permute2x128(u3, u7, 0x31).Store(dst + 7 * ldd);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> LoadRow(float* src, nint ld, int row, int validRows) =>
        row < validRows ? Vector256.Load(src + row * ld) : Vector256<float>.Zero;

    private static void FillWithBias(in GemmOperands op)
    {
        for (int i = 0; i < op.M; i++)
        {
            var row = new Span<float>(op.C + i * op.Ldc, op.N);
            if (op.Bias == null) row.Clear();
            else new ReadOnlySpan<float>(op.Bias, op.N).CopyTo(row);
        }
    }

    private static int Ceiling(int value, int divisor) => (value + divisor - 1) / divisor;
}

/// <summary>Packing buffers of one worker, allocated on the pinned object heap (so the kernels can hold raw pointers)
/// and aligned to 64 bytes for full-width vector loads. Workers rent one for a share of a call and return it, so there
/// are only as many as ever ran at once — not one per thread-pool thread that ever ran a GEMM, which would keep
/// allocating megabytes as the pool's threads come and go.</summary>
internal sealed unsafe class GemmScratch
{
    private static readonly ConcurrentBag<GemmScratch> Idle = [];

    // Keep the pinned arrays reachable: the pointers below are into them.
    private readonly float[] packedA, packedB, edge, widened;
    private float[] attention = [];

    private GemmScratch()
    {
        PackedA = Allocate(Gemm.KC * GemmKernel.MaxMR, out packedA);
        PackedB = Allocate(Gemm.KC * Gemm.NC, out packedB);
        Edge = Allocate(GemmKernel.MaxMR * GemmKernel.MaxNR, out edge);
        Widened = Allocate(GemmKernel.MaxNR * Gemm.KC, out widened);
    }

    /// <summary>Scratch for the caller alone until the lease is disposed.</summary>
    public static Lease Rent() => new(Idle.TryTake(out var scratch) ? scratch : new GemmScratch());

    public readonly struct Lease(GemmScratch scratch) : IDisposable
    {
        public GemmScratch Scratch => scratch;

        public void Dispose() => Idle.Add(scratch);
    }

    public float* PackedA { get; }

    public float* PackedB { get; }

    /// <summary>One MaxMR×MaxNR tile for partial tiles.</summary>
    public float* Edge { get; }

    /// <summary>MaxNR rows of KC floats: a BF16/F16 panel of transposed B, widened before it is packed.</summary>
    public float* Widened { get; }

    /// <summary>At least <paramref name="floats"/> floats for one attention head's packed keys, values and scores,
    /// grown as sequences get longer and then reused.</summary>
    public float[] Attention(long floats)
    {
        if (floats > Array.MaxLength) throw new ArgumentException("CausalSelfAttention: sequence too long for one head's workspace.");
        if (attention.Length < floats) attention = new float[floats];
        return attention;
    }

    /// <summary>Room past the end for the packer's spilling stores (see <see cref="Gemm"/>.PackTransposed).</summary>
    private const int Slack = 8;

    private static float* Allocate(int floats, out float[] array)
    {
        const int Alignment = 64;
        array = GC.AllocateUninitializedArray<float>(floats + Slack + Alignment / sizeof(float), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        return (float*)((address + Alignment - 1) & ~(nint)(Alignment - 1));
    }
}
