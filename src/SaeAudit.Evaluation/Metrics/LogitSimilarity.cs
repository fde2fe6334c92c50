using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SaeAudit.Tensors;
using Tensor = SaeAudit.Tensors.Tensor;

namespace SaeAudit.Evaluation.Metrics;

/// <summary>SPEC §6 logit-weight similarity: ℓ_i^M[v] = Σ_k d_i[k] γ_M[k] W_U^M[v, k] in float64, and the Pearson
/// correlation over v of ℓ_i^B and ℓ_i^F. A float64 GEMM streamed over the vocabulary: each block of unembedding rows
/// is read and widened once for all features (no float32 copy of W_U, no vocab-sized vectors per feature).</summary>
internal static class LogitSimilarity
{
    // 64 rows × d 2304 × 8 bytes × 2 models = 2.4 MB: a block of both unembeddings stays near the cores while every
    // feature group passes over it.
    private const int VocabBlock = 64;

    // Features one task scores per block: 16 × d float64 of each model's gained decoder rows stay in L2.
    private const int FeaturesPerTask = 16;

    /// <summary>Similarity per feature (NaN where ℓ is constant in either model). Over the shared vocabulary when
    /// the finetune has added rows. Every feature's sums run over v in order and each ℓ is one fixed-order dot product,
    /// so the result does not depend on the thread count.</summary>
    public static double[] Compute(IReadOnlyList<int> features, LogitWeights weights, int threads = 0)
    {
        var d = weights.Decoder.Columns;
        var unembedBase = weights.UnembeddingBase;
        var unembedFinetune = weights.UnembeddingFinetune;
        if (weights.GainBase.Length != d || weights.GainFinetune.Length != d || unembedBase.Columns != d ||
            unembedFinetune.Columns != d)
            throw new ArgumentException($"decoder width {d}, gains {weights.GainBase.Length}/{weights.GainFinetune.Length}, unembeddings {unembedBase.Columns}/{unembedFinetune.Columns} must agree");
        var vocab = Math.Min(unembedBase.Rows, unembedFinetune.Rows);
        var count = features.Count;
        if (count == 0) return [];

        var gainedBase = Gained(features, weights.Decoder, weights.GainBase);
        var gainedFinetune = Gained(features, weights.Decoder, weights.GainFinetune);
        // Shifting by the vocabulary mean of ℓ keeps the streamed sums free of cancellation.
        var meanBase = Means(gainedBase, ColumnMeans(unembedBase, vocab), count, d);
        var meanFinetune = Means(gainedFinetune, ColumnMeans(unembedFinetune, vocab), count, d);

        var sums = new double[count * 5];
        var blockBase = new double[VocabBlock * d];
        var blockFinetune = new double[VocabBlock * d];
        var stored = new float[d];
        var pool = new ConcurrentBag<TaskScratch>();
        var tasks = (count + FeaturesPerTask - 1) / FeaturesPerTask;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : -1 };
        for (var v0 = 0; v0 < vocab; v0 += VocabBlock)
        {
            var rows = Math.Min(VocabBlock, vocab - v0);
            WidenRows(unembedBase, v0, rows, stored, blockBase);
            WidenRows(unembedFinetune, v0, rows, stored, blockFinetune);
            Parallel.For(0, tasks, parallel, () => pool.TryTake(out var taken) ? taken : new TaskScratch(), (task, _, scratch) =>
            {
                var first = task * FeaturesPerTask;
                var group = Math.Min(FeaturesPerTask, count - first);
                double[] logitsBase = scratch.LogitsBase, logitsFinetune = scratch.LogitsFinetune;
                Products(gainedBase.AsSpan(first * d, group * d), blockBase.AsSpan(0, rows * d), d, logitsBase, scratch.Partial);
                Products(gainedFinetune.AsSpan(first * d, group * d), blockFinetune.AsSpan(0, rows * d), d, logitsFinetune, scratch.Partial);
                for (var f = 0; f < group; f++)
                {
                    var s = sums.AsSpan((first + f) * 5, 5);
                    double mb = meanBase[first + f], mf = meanFinetune[first + f];
                    double sb = s[0], sf = s[1], sbb = s[2], sff = s[3], sbf = s[4];
                    for (var v = 0; v < rows; v++)
                    {
                        var lb = logitsBase[f * VocabBlock + v] - mb;
                        var lf = logitsFinetune[f * VocabBlock + v] - mf;
                        sb += lb;
                        sf += lf;
                        sbb += lb * lb;
                        sff += lf * lf;
                        sbf += lb * lf;
                    }
                    (s[0], s[1], s[2], s[3], s[4]) = (sb, sf, sbb, sff, sbf);
                }
                return scratch;
            }, pool.Add);
        }

        var result = new double[count];
        for (var f = 0; f < count; f++)
            result[f] = Statistics.PearsonFromSums(vocab, sums[f * 5], sums[f * 5 + 1], sums[f * 5 + 2], sums[f * 5 + 3], sums[f * 5 + 4]);
        return result;
    }

    /// <summary>products[f · VocabBlock + v] = gained[f] · block[v] for every feature row f and unembedding row v (both
    /// d wide). Four features × four rows at a time, so each loaded vector feeds four FMAs, over d in slices of
    /// <see cref="DepthSlice"/> so that four feature slices stay in L1 while every row slice of the block passes;
    /// <paramref name="partial"/> keeps each tile's vector sums between slices.</summary>
    private static void Products(ReadOnlySpan<double> gained, ReadOnlySpan<double> block, int d, Span<double> products, Span<Vector512<double>> partial)
    {
        int features = gained.Length / d, rows = block.Length / d;
        var tiled = Vector512.IsHardwareAccelerated && d % Vector512<double>.Count == 0;
        int tiledFeatures = tiled ? features - features % 4 : 0, tiledRows = tiled ? rows - rows % 4 : 0;
        ref var g = ref MemoryMarshal.GetReference(gained);
        ref var w = ref MemoryMarshal.GetReference(block);
        for (var k = 0; k < d && tiledRows > 0; k += DepthSlice)
        {
            var depth = Math.Min(DepthSlice, d - k);
            for (var f = 0; f < tiledFeatures; f += 4)
                for (var v = 0; v < tiledRows; v += 4)
                    Tile4x4(ref Unsafe.Add(ref g, f * d + k), ref Unsafe.Add(ref w, v * d + k), d, depth,
                        partial.Slice(TileOffset(f, v), 16), accumulate: k > 0);
        }
        for (var f = 0; f < tiledFeatures; f++)
            for (var v = 0; v < tiledRows; v++)
                products[f * VocabBlock + v] = Vector512.Sum(partial[TileOffset(f, v) + f % 4 * 4 + v % 4]);
        for (var f = 0; f < features; f++)
            for (var v = f < tiledFeatures ? tiledRows : 0; v < rows; v++)
                products[f * VocabBlock + v] = TensorPrimitives.Dot(gained.Slice(f * d, d), block.Slice(v * d, d));
    }

    /// <summary>Where the 16 partial vectors of the 4×4 tile holding (f, v) start: tiles row-major over the block.</summary>
    private static int TileOffset(int f, int v) => (f / 4 * (VocabBlock / 4) + v / 4) * 16;

    // 4 feature rows × 256 doubles = 8 KiB, and four unembedding rows as much: both in L1 beside each other.
    private const int DepthSlice = 256;

    /// <summary>The 4×4 dot products over <paramref name="depth"/> elements of gained rows g[0..4) and unembedding rows
    /// w[0..4) (row stride <paramref name="stride"/>) as 16 vectors of lane sums, stored or added into
    /// <paramref name="tile"/>. No horizontal sums or calls here: with them the JIT spills accumulators inside the loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x4(ref double g, ref double w, int stride, int depth, Span<Vector512<double>> tile, bool accumulate)
    {
        var c00 = Vector512<double>.Zero; var c01 = Vector512<double>.Zero; var c02 = Vector512<double>.Zero; var c03 = Vector512<double>.Zero;
        var c10 = Vector512<double>.Zero; var c11 = Vector512<double>.Zero; var c12 = Vector512<double>.Zero; var c13 = Vector512<double>.Zero;
        var c20 = Vector512<double>.Zero; var c21 = Vector512<double>.Zero; var c22 = Vector512<double>.Zero; var c23 = Vector512<double>.Zero;
        var c30 = Vector512<double>.Zero; var c31 = Vector512<double>.Zero; var c32 = Vector512<double>.Zero; var c33 = Vector512<double>.Zero;
        nuint s = (nuint)stride;
        for (nuint k = 0; k < (nuint)depth; k += (nuint)Vector512<double>.Count)
        {
            var w0 = Vector512.LoadUnsafe(ref w, k);
            var w1 = Vector512.LoadUnsafe(ref w, s + k);
            var w2 = Vector512.LoadUnsafe(ref w, 2 * s + k);
            var w3 = Vector512.LoadUnsafe(ref w, 3 * s + k);
            var g0 = Vector512.LoadUnsafe(ref g, k);
            c00 = Vector512.FusedMultiplyAdd(g0, w0, c00);
            c01 = Vector512.FusedMultiplyAdd(g0, w1, c01);
            c02 = Vector512.FusedMultiplyAdd(g0, w2, c02);
            c03 = Vector512.FusedMultiplyAdd(g0, w3, c03);
            var g1 = Vector512.LoadUnsafe(ref g, s + k);
            c10 = Vector512.FusedMultiplyAdd(g1, w0, c10);
            c11 = Vector512.FusedMultiplyAdd(g1, w1, c11);
            c12 = Vector512.FusedMultiplyAdd(g1, w2, c12);
            c13 = Vector512.FusedMultiplyAdd(g1, w3, c13);
            var g2 = Vector512.LoadUnsafe(ref g, 2 * s + k);
            c20 = Vector512.FusedMultiplyAdd(g2, w0, c20);
            c21 = Vector512.FusedMultiplyAdd(g2, w1, c21);
            c22 = Vector512.FusedMultiplyAdd(g2, w2, c22);
            c23 = Vector512.FusedMultiplyAdd(g2, w3, c23);
            var g3 = Vector512.LoadUnsafe(ref g, 3 * s + k);
            c30 = Vector512.FusedMultiplyAdd(g3, w0, c30);
            c31 = Vector512.FusedMultiplyAdd(g3, w1, c31);
            c32 = Vector512.FusedMultiplyAdd(g3, w2, c32);
            c33 = Vector512.FusedMultiplyAdd(g3, w3, c33);
        }
        ref var t = ref MemoryMarshal.GetReference(tile);
        if (accumulate)
        {
            c00 += t; c01 += Unsafe.Add(ref t, 1); c02 += Unsafe.Add(ref t, 2); c03 += Unsafe.Add(ref t, 3);
            c10 += Unsafe.Add(ref t, 4); c11 += Unsafe.Add(ref t, 5); c12 += Unsafe.Add(ref t, 6); c13 += Unsafe.Add(ref t, 7);
            c20 += Unsafe.Add(ref t, 8); c21 += Unsafe.Add(ref t, 9); c22 += Unsafe.Add(ref t, 10); c23 += Unsafe.Add(ref t, 11);
            c30 += Unsafe.Add(ref t, 12); c31 += Unsafe.Add(ref t, 13); c32 += Unsafe.Add(ref t, 14); c33 += Unsafe.Add(ref t, 15);
        }
        t = c00; Unsafe.Add(ref t, 1) = c01; Unsafe.Add(ref t, 2) = c02; Unsafe.Add(ref t, 3) = c03;
        Unsafe.Add(ref t, 4) = c10; Unsafe.Add(ref t, 5) = c11; Unsafe.Add(ref t, 6) = c12; Unsafe.Add(ref t, 7) = c13;
        Unsafe.Add(ref t, 8) = c20; Unsafe.Add(ref t, 9) = c21; Unsafe.Add(ref t, 10) = c22; Unsafe.Add(ref t, 11) = c23;
        Unsafe.Add(ref t, 12) = c30; Unsafe.Add(ref t, 13) = c31; Unsafe.Add(ref t, 14) = c32; Unsafe.Add(ref t, 15) = c33;
    }



    /// <summary>One worker's buffers for a block: each model's ℓ of its feature group, and the tiles' partial sums.</summary>
    private sealed class TaskScratch
    {
        public double[] LogitsBase { get; } = new double[FeaturesPerTask * VocabBlock];
        public double[] LogitsFinetune { get; } = new double[FeaturesPerTask * VocabBlock];
        public Vector512<double>[] Partial { get; } = new Vector512<double>[FeaturesPerTask * VocabBlock];
    }

    /// <summary>Rows [first, first + rows) of <paramref name="unembedding"/> widened to float64, row-major.</summary>
    private static void WidenRows(WeightMatrix unembedding, int first, int rows, float[] stored, double[] block)
    {
        var d = unembedding.Columns;
        for (var r = 0; r < rows; r++)
        {
            unembedding.ReadRow(first + r, stored);
            Statistics.Widen(stored, block.AsSpan(r * d, d));
        }
    }

    /// <summary>d_i ⊙ γ in float64 for every feature, row-major [features, d].</summary>
    private static double[] Gained(IReadOnlyList<int> features, Tensor decoder, float[] gain)
    {
        var d = gain.Length;
        var gained = new double[features.Count * d];
        for (var f = 0; f < features.Count; f++)
        {
            var row = decoder.Row(features[f]);
            for (var k = 0; k < d; k++) gained[f * d + k] = (double)row[k] * gain[k];
        }
        return gained;
    }

    /// <summary>The vocabulary mean of each feature's ℓ: gained row · column means of W_U.</summary>
    private static double[] Means(double[] gained, double[] columnMeans, int count, int d)
    {
        var means = new double[count];
        for (var f = 0; f < count; f++) means[f] = TensorPrimitives.Dot<double>(gained.AsSpan(f * d, d), columnMeans);
        return means;
    }

    private static double[] ColumnMeans(WeightMatrix unembedding, int rows)
    {
        var means = new double[unembedding.Columns];
        var row = new float[unembedding.Columns];
        for (var v = 0; v < rows; v++)
        {
            unembedding.ReadRow(v, row);
            for (var k = 0; k < means.Length; k++) means[k] += row[k];
        }
        for (var k = 0; k < means.Length; k++) means[k] /= rows;
        return means;
    }
}
