using System.Numerics.Tensors;

namespace SaeAudit.Tensors;

/// <summary>Causal (optionally sliding-window, soft-capped, grouped-query) self-attention. A work item is one block of
/// <see cref="QueryBlock"/> queries of one (batch, head): scores = Q·Kᵀ over the keys the block can see (one GEMM),
/// softmax per row, output = P·V (a second GEMM writing straight into the head's output columns). The score block
/// (QueryBlock × keys) is the only temporary, one per worker. Work items never share an output element and each
/// element's reductions run in a fixed order, so results do not depend on the thread count.</summary>
internal static unsafe class Attention
{
    private const int QueryBlock = 64;

    [ThreadStatic]
    private static float[]? scoreBuffer;

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

    public static int WorkItems(AttentionOptions o) => o.Batch * o.Heads * QueryBlocks(o);

    public static void ComputeBlock(GemmKernel kernel, Tensor q, Tensor k, Tensor v, Tensor output, AttentionOptions o, int item)
    {
        int queryBlocks = QueryBlocks(o);
        int block = item % queryBlocks, head = item / queryBlocks % o.Heads, batch = item / queryBlocks / o.Heads;
        int kvHead = head / (o.Heads / o.KvHeads);
        int firstQuery = block * QueryBlock, queries = Math.Min(QueryBlock, o.Sequence - firstQuery);
        int firstKey = FirstVisibleKey(firstQuery, o.SlidingWindow);
        int keys = firstQuery + queries - firstKey;

        int needed = queries * keys;
        if (scoreBuffer is null || scoreBuffer.Length < needed) scoreBuffer = new float[Math.Max(needed, QueryBlock * QueryBlock)];
        var scores = scoreBuffer;

        int headDim = o.HeadDim;
        nint queryStride = o.Heads * headDim, keyStride = o.KvHeads * headDim;
        long rowBase = (long)batch * o.Sequence;
        fixed (float* pq = q.Data, pk = k.Data, pv = v.Data, po = output.Data, ps = scores)
        {
            float* queryBlock = pq + (rowBase + firstQuery) * queryStride + head * headDim;
            float* keyBlock = pk + (rowBase + firstKey) * keyStride + kvHead * headDim;
            float* valueBlock = pv + (rowBase + firstKey) * keyStride + kvHead * headDim;
            float* outputBlock = po + (rowBase + firstQuery) * queryStride + head * headDim;

            var scoreGemm = new GemmOperands(queryBlock, queryStride, keyBlock, keyStride, true, ps, keys, null, queries, keys, headDim);
            long t0 = Prof.Now();
            Gemm.Multiply(kernel, scoreGemm, threads: 1);
            long t1 = Prof.Now();

            for (int r = 0; r < queries; r++)
            {
                int query = firstQuery + r;
                int visible = FirstVisibleKey(query, o.SlidingWindow) - firstKey;
                var row = scores.AsSpan(r * keys, keys);
                row[..visible].Clear();
                row[(query - firstKey + 1)..].Clear();
                Softmax(row[visible..(query - firstKey + 1)], o.Scale, o.SoftCap);
            }

            long t2 = Prof.Now();
            var valueGemm = new GemmOperands(ps, keys, valueBlock, keyStride, false, outputBlock, queryStride, null, queries, headDim, keys);
            Gemm.Multiply(kernel, valueGemm, threads: 1);
            long t3 = Prof.Now();
            Prof.Qk += t1 - t0; Prof.Soft += t2 - t1; Prof.Pv += t3 - t2;
        }
    }

    /// <summary>In place: s ← s·scale, soft-capped (cap·tanh(s/cap)), then softmax in float32 (the row maximum
    /// subtracted; the denominator summed in float64 in a fixed order).</summary>
    private static void Softmax(Span<float> s, float scale, float? softCap)
    {
        TensorPrimitives.Multiply(s, scale, s);
        if (softCap is float cap)
        {
            TensorPrimitives.Divide(s, cap, s);
            TensorPrimitives.Tanh(s, s);
            TensorPrimitives.Multiply(s, cap, s);
        }
        TensorPrimitives.Subtract(s, TensorPrimitives.Max(s), s);
        TensorPrimitives.Exp(s, s);
        TensorPrimitives.Divide(s, (float)FixedOrderSum.Sum(s), s);
    }

    /// <summary>The first key position query <paramref name="query"/> may attend to.</summary>
    private static int FirstVisibleKey(int query, int? window) => window is int w ? Math.Max(0, query - w + 1) : 0;

    private static int QueryBlocks(AttentionOptions o) => (o.Sequence + QueryBlock - 1) / QueryBlock;

    private static void CheckShape(Tensor t, long rows, int columns, string name)
    {
        if (t.Columns != columns || t.Length != rows * columns)
            throw new ArgumentException($"CausalSelfAttention: {name} {t} must be [{rows}, {columns}].");
    }
}

public static class Prof { public static long Qk, Soft, Pv;
  [System.Runtime.InteropServices.DllImport("libc")] static extern int clock_gettime(int id, out Ts ts); struct Ts { public long s, ns; }
  public static long Now() { clock_gettime(3, out var ts); return ts.s * 1000000000 + ts.ns; } }
