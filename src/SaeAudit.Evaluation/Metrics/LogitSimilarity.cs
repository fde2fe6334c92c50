using System.Numerics;
using System.Numerics.Tensors;
using SaeAudit.Tensors;

namespace SaeAudit.Evaluation.Metrics;

/// <summary>SPEC §6 logit-weight similarity: ℓ_i^M[v] = Σ_k d_i[k] γ_M[k] W_U^M[v, k] in float64, and the Pearson
/// correlation over v of ℓ_i^B and ℓ_i^F. Streams over the vocabulary (no vocab-sized vectors per feature), reading the
/// unembeddings a row at a time as stored (no float32 copy of W_U).</summary>
internal static class LogitSimilarity
{
    // Features scored together share each pair of unembedding rows while they are in cache.
    private const int FeaturesPerTask = 8;

    /// <summary>Similarity per feature (NaN where ℓ is constant in either model). Over the shared vocabulary when
    /// the finetune has added rows; each feature's value is computed by one task in a fixed order, so the result
    /// does not depend on the thread count.</summary>
    public static double[] Compute(IReadOnlyList<int> features, LogitWeights weights)
    {
        var d = weights.Decoder.Columns;
        var unembedBase = weights.UnembeddingBase;
        var unembedFinetune = weights.UnembeddingFinetune;
        if (weights.GainBase.Length != d || weights.GainFinetune.Length != d || unembedBase.Columns != d ||
            unembedFinetune.Columns != d)
            throw new ArgumentException($"decoder width {d}, gains {weights.GainBase.Length}/{weights.GainFinetune.Length}, unembeddings {unembedBase.Columns}/{unembedFinetune.Columns} must agree");
        var vocab = Math.Min(unembedBase.Rows, unembedFinetune.Rows);
        var columnMeanBase = ColumnMeans(unembedBase, vocab);
        var columnMeanFinetune = ColumnMeans(unembedFinetune, vocab);

        var result = new double[features.Count];
        var tasks = (features.Count + FeaturesPerTask - 1) / FeaturesPerTask;
        Parallel.For(0, tasks, task =>
        {
            var first = task * FeaturesPerTask;
            var count = Math.Min(FeaturesPerTask, features.Count - first);
            var gainedBase = new double[count][];
            var gainedFinetune = new double[count][];
            var meanBase = new double[count];
            var meanFinetune = new double[count];
            for (var f = 0; f < count; f++)
            {
                var decoderRow = weights.Decoder.Row(features[first + f]);
                gainedBase[f] = Gained(decoderRow, weights.GainBase);
                gainedFinetune[f] = Gained(decoderRow, weights.GainFinetune);
                meanBase[f] = TensorPrimitives.Dot<double>(gainedBase[f], columnMeanBase);
                meanFinetune[f] = TensorPrimitives.Dot<double>(gainedFinetune[f], columnMeanFinetune);
            }
            var stored = new float[d];
            var rowBase = new double[d];
            var rowFinetune = new double[d];
            var logitsBase = new double[count];
            var logitsFinetune = new double[count];
            var sums = new double[count, 5];
            for (var v = 0; v < vocab; v++)
            {
                unembedBase.ReadRow(v, stored);
                Statistics.Widen(stored, rowBase);
                unembedFinetune.ReadRow(v, stored);
                Statistics.Widen(stored, rowFinetune);
                Dots(gainedBase, rowBase, logitsBase);
                Dots(gainedFinetune, rowFinetune, logitsFinetune);
                for (var f = 0; f < count; f++)
                {
                    // Shifting by the vocabulary mean of ℓ keeps the streamed sums free of cancellation.
                    var lb = logitsBase[f] - meanBase[f];
                    var lf = logitsFinetune[f] - meanFinetune[f];
                    sums[f, 0] += lb;
                    sums[f, 1] += lf;
                    sums[f, 2] += lb * lb;
                    sums[f, 3] += lf * lf;
                    sums[f, 4] += lb * lf;
                }
            }
            for (var f = 0; f < count; f++)
                result[first + f] = Statistics.PearsonFromSums(vocab, sums[f, 0], sums[f, 1], sums[f, 2], sums[f, 3], sums[f, 4]);
        });
        return result;
    }

    /// <summary>results[f] = gained[f] · row, four features at a time so each loaded chunk of the row feeds four
    /// independent accumulators (the single-vector dot is latency-bound at these widths).</summary>
    private static void Dots(double[][] gained, double[] row, double[] results)
    {
        var width = Vector<double>.Count;
        var vectorEnd = Vector.IsHardwareAccelerated ? row.Length - row.Length % width : 0;
        var f = 0;
        for (; f + 4 <= gained.Length; f += 4)
        {
            double[] g0 = gained[f], g1 = gained[f + 1], g2 = gained[f + 2], g3 = gained[f + 3];
            Vector<double> a0 = default, a1 = default, a2 = default, a3 = default;
            for (var k = 0; k < vectorEnd; k += width)
            {
                var r = new Vector<double>(row, k);
                a0 += new Vector<double>(g0, k) * r;
                a1 += new Vector<double>(g1, k) * r;
                a2 += new Vector<double>(g2, k) * r;
                a3 += new Vector<double>(g3, k) * r;
            }
            double s0 = Vector.Sum(a0), s1 = Vector.Sum(a1), s2 = Vector.Sum(a2), s3 = Vector.Sum(a3);
            for (var k = vectorEnd; k < row.Length; k++)
            {
                s0 += g0[k] * row[k];
                s1 += g1[k] * row[k];
                s2 += g2[k] * row[k];
                s3 += g3[k] * row[k];
            }
            (results[f], results[f + 1], results[f + 2], results[f + 3]) = (s0, s1, s2, s3);
        }
        for (; f < gained.Length; f++) results[f] = TensorPrimitives.Dot<double>(gained[f], row);
    }

    private static double[] Gained(ReadOnlySpan<float> decoderRow, float[] gain)
    {
        var gained = new double[decoderRow.Length];
        for (var k = 0; k < gained.Length; k++) gained[k] = (double)decoderRow[k] * gain[k];
        return gained;
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
