using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SaeAudit.Tensors;

/// <summary>Causal (optionally sliding-window, soft-capped, grouped-query) self-attention. A work item is one
/// (batch, head): its keys and values are packed once into GEMM panels, then its queries are processed in blocks of
/// about <see cref="QueryBlockTarget"/>: scores = Q·Kᵀ over the keys the block can see, softmax per row, output =
/// P·V written straight into the head's output columns. The score block (query block × keys) is the only
/// per-worker temporary besides the packed K and V. Each output element is reduced in an order fixed by the
/// shapes — over the head dimension in <see cref="Gemm.KC"/> blocks for a score, over keys in KC blocks from a
/// KC-aligned start for an output — so results do not depend on the thread count.</summary>
internal static unsafe class Attention
{
    /// <summary>Queries per block, rounded up to whole kernel strips. Small blocks waste little on the causal
    /// diagonal; the per-block cost is packing Q and P.</summary>
    private const int QueryBlockTarget = 64;

    public static void Validate(Tensor q, Tensor k, Tensor v, Tensor output, AttentionOptions o)
    {
        if (o.Batch < 0 || o.Sequence < 0 || o.HeadDim < 1 || o.Heads < 1 || o.KvHeads < 1 || o.Heads % o.KvHeads != 0)
            throw new ArgumentException($"CausalSelfAttention: invalid options {o} (heads must be a multiple of kvHeads).");
        if (o.SlidingWindow is < 1)
            throw new ArgumentException($"CausalSelfAttention: sliding window {o.SlidingWindow} must be at least 1.");
        if (o.SoftCap is float cap && !(cap > 0))
            throw new ArgumentException($"CausalSelfAttention: soft cap {cap} must be positive.");
        long rows = (long)o.Batch * o.Sequence;
        CheckShape(q, rows, o.Heads * o.HeadDim, "q");
        CheckShape(k, rows, o.KvHeads * o.HeadDim, "k");
        CheckShape(v, rows, o.KvHeads * o.HeadDim, "v");
        CheckShape(output, rows, o.Heads * o.HeadDim, "output");
        if (ReferenceEquals(output.Data, q.Data) || ReferenceEquals(output.Data, k.Data) || ReferenceEquals(output.Data, v.Data))
            throw new ArgumentException("CausalSelfAttention: the output must not share memory with q, k or v.");
    }

    /// <summary>One work item per (batch, head).</summary>
    public static int WorkItems(AttentionOptions o) => o.Sequence == 0 ? 0 : o.Batch * o.Heads;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ComputeHead(GemmKernel kernel, Tensor q, Tensor k, Tensor v, Tensor output, AttentionOptions o, int item)
    {
        int batch = item / o.Heads, head = item % o.Heads, kvHead = head / (o.Heads / o.KvHeads);
        int sequence = o.Sequence, headDim = o.HeadDim, mr = kernel.MR, nr = kernel.NR;
        int queryBlock = Ceiling(QueryBlockTarget, mr) * mr;
        // Packed K: ⌈sequence/nr⌉ panels per KC-block of the head dimension. Packed V: per KC-block of keys,
        // ⌈headDim/nr⌉ panels. Scores: one query block × all keys, with a row stride that keeps every tile whole.
        int keyStride = Ceiling(sequence, Gemm.KC) * Gemm.KC, paddedDim = Ceiling(headDim, nr) * nr;
        long keysSize = (long)keyStride * headDim, valuesSize = (long)keyStride * paddedDim, scoresSize = (long)queryBlock * keyStride;
        using var lease = GemmScratch.Rent();
        var scratch = lease.Scratch;
        var buffer = scratch.Attention(keysSize + valuesSize + scoresSize);

        nint queryStride = o.Heads * headDim, kvStride = o.KvHeads * headDim;
        long rowBase = (long)batch * sequence;
        fixed (float* pq = q.Data, pk = k.Data, pv = v.Data, po = output.Data, pBuffer = buffer)
        {
            float* packedKeys = pBuffer, packedValues = pBuffer + keysSize, scores = packedValues + valuesSize;
            float* queries = pq + rowBase * queryStride + head * headDim;
            float* outputs = po + rowBase * queryStride + head * headDim;

            // Kᵀ as a B operand [headDim, sequence] and V as a B operand [sequence, headDim].
            var keyOperand = new GemmOperands(null, 0, pk + rowBase * kvStride + kvHead * headDim, kvStride, true, null, 0, null, 0, sequence, headDim);
            for (int pc = 0; pc < headDim; pc += Gemm.KC)
                Gemm.PackB(keyOperand, pc, Math.Min(Gemm.KC, headDim - pc), 0, sequence, nr, packedKeys + pc * keyStride, scratch);
            var valueOperand = new GemmOperands(null, 0, pv + rowBase * kvStride + kvHead * headDim, kvStride, false, null, 0, null, 0, headDim, sequence);
            for (int pc = 0; pc < sequence; pc += Gemm.KC)
                Gemm.PackB(valueOperand, pc, Math.Min(Gemm.KC, sequence - pc), 0, headDim, nr, packedValues + pc * paddedDim, scratch);

            for (int first = 0; first < sequence; first += queryBlock)
            {
                int rows = Math.Min(queryBlock, sequence - first), end = first + rows;
                // A KC-aligned start, so the P·V depth blocks coincide with the packed V blocks.
                int keyStart = FirstVisibleKey(first, o.SlidingWindow) / Gemm.KC * Gemm.KC;
                int strips = Ceiling(rows, mr);

                // Scores for keys [keyStart, end) rounded up to whole panels (the extra keys are masked below).
                int keyPanels = Ceiling(end - keyStart, nr);
                for (int pc = 0; pc < headDim; pc += Gemm.KC)
                {
                    int kc = Math.Min(Gemm.KC, headDim - pc);
                    for (int s = 0; s < strips; s++)
                    {
                        Gemm.PackTransposed(queries + (first + s * mr) * queryStride + pc, queryStride, Math.Min(mr, rows - s * mr), kc, mr, scratch.PackedA);
                        for (int j = 0; j < keyPanels; j++)
                            kernel.Run(scratch.PackedA, packedKeys + pc * keyStride + (keyStart + j * nr) * kc, kc,
                                scores + s * mr * keyStride + j * nr, keyStride, pc > 0, null);
                    }
                }

                for (int r = 0; r < rows; r++)
                {
                    int query = first + r;
                    var row = new Span<float>(scores + r * keyStride, end - keyStart);
                    int visible = FirstVisibleKey(query, o.SlidingWindow) - keyStart, last = query - keyStart;
                    row[..visible].Clear();
                    row[(last + 1)..].Clear();
                    Softmax(row[visible..(last + 1)], o.Scale, o.SoftCap);
                }

                for (int pc = keyStart; pc < end; pc += Gemm.KC)
                {
                    int kc = Math.Min(Gemm.KC, end - pc), packedDepth = Math.Min(Gemm.KC, sequence - pc);
                    for (int s = 0; s < strips; s++)
                    {
                        int stripRows = Math.Min(mr, rows - s * mr);
                        Gemm.PackTransposed(scores + s * mr * keyStride + (pc - keyStart), keyStride, stripRows, kc, mr, scratch.PackedA);
                        for (int j = 0; j < paddedDim; j += nr)
                        {
                            float* tile = outputs + (first + s * mr) * queryStride + j;
                            float* panel = packedValues + pc * paddedDim + j * packedDepth;
                            int cols = Math.Min(nr, headDim - j);
                            if (stripRows == mr && cols == nr)
                                kernel.Run(scratch.PackedA, panel, kc, tile, queryStride, pc > keyStart, null);
                            else
                                Gemm.EdgeTile(kernel, scratch.PackedA, panel, kc, tile, queryStride, stripRows, cols, pc > keyStart, null, scratch.Edge);
                        }
                    }
                }
            }
        }
    }

    /// <summary>In place: s ← s·scale, soft-capped (cap·tanh(s/cap)), then softmax in float32: exp(s - max) times the
    /// reciprocal of its sum (summed in float64 in a fixed order), as torch's CPU softmax.</summary>
    private static void Softmax(Span<float> s, float scale, float? softCap)
    {
        TensorPrimitives.Multiply(s, scale, s);
        if (softCap is float cap)
        {
            TensorPrimitives.Divide(s, cap, s);
            TensorPrimitives.Tanh(s, s);
            TensorPrimitives.Multiply(s, cap, s);
        }
        FastExp.ExpShifted(s, Max(s));
        TensorPrimitives.Multiply(s, 1f / (float)FixedOrderSum.Sum(s), s);
    }

    /// <summary>The largest value (s is never empty; scores are finite, so the order of comparison is immaterial).</summary>
    private static float Max(ReadOnlySpan<float> s)
    {
        ref float start = ref MemoryMarshal.GetReference(s);
        float max = s[0];
        int i = 1;
        if (s.Length >= Vector512<float>.Count)
        {
            var lanes = Vector512.LoadUnsafe(ref start);
            for (i = Vector512<float>.Count; i <= s.Length - Vector512<float>.Count; i += Vector512<float>.Count)
                lanes = Vector512.MaxNative(lanes, Vector512.LoadUnsafe(ref start, (nuint)i));
            for (int lane = 0; lane < Vector512<float>.Count; lane++) max = Math.Max(max, lanes[lane]);
        }
        for (; i < s.Length; i++) max = Math.Max(max, s[i]);
        return max;
    }

    /// <summary>The first key position query <paramref name="query"/> may attend to.</summary>
    private static int FirstVisibleKey(int query, int? window) => window is int w ? Math.Max(0, query - w + 1) : 0;

    private static int Ceiling(int value, int divisor) => (value + divisor - 1) / divisor;

    private static void CheckShape(Tensor t, long rows, int columns, string name)
    {
        if (t.Columns != columns || t.Length != rows * columns)
            throw new ArgumentException($"CausalSelfAttention: {name} {t} must be [{rows}, {columns}].");
    }
}
