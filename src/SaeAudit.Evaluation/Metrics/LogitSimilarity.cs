using SaeAudit.Tensors;

namespace SaeAudit.Evaluation.Metrics;

/// <summary>SPEC §6 logit-weight similarity: ℓ_i^M[v] = Σ_k d_i[k] γ_M[k] W_U^M[v, k] in float64, and the Pearson
/// correlation over v of ℓ_i^B and ℓ_i^F. Streams over the vocabulary (no vocab-sized vectors per feature).</summary>
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
            var sums = new double[count, 5];
            for (var f = 0; f < count; f++)
            {
                var decoderRow = weights.Decoder.Row(features[first + f]);
                gainedBase[f] = Gained(decoderRow, weights.GainBase);
                gainedFinetune[f] = Gained(decoderRow, weights.GainFinetune);
                meanBase[f] = Dot(gainedBase[f], columnMeanBase);
                meanFinetune[f] = Dot(gainedFinetune[f], columnMeanFinetune);
            }
            for (var v = 0; v < vocab; v++)
            {
                var rowBase = unembedBase.Row(v);
                var rowFinetune = unembedFinetune.Row(v);
                for (var f = 0; f < count; f++)
                {
                    // Shifting by the vocabulary mean of ℓ keeps the streamed sums free of cancellation.
                    var lb = Statistics.Dot(gainedBase[f], rowBase) - meanBase[f];
                    var lf = Statistics.Dot(gainedFinetune[f], rowFinetune) - meanFinetune[f];
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

    private static double[] Gained(ReadOnlySpan<float> decoderRow, float[] gain)
    {
        var gained = new double[decoderRow.Length];
        for (var k = 0; k < gained.Length; k++) gained[k] = (double)decoderRow[k] * gain[k];
        return gained;
    }

    private static double[] ColumnMeans(Tensor unembedding, int rows)
    {
        var means = new double[unembedding.Columns];
        for (var v = 0; v < rows; v++)
        {
            var row = unembedding.Row(v);
            for (var k = 0; k < means.Length; k++) means[k] += row[k];
        }
        for (var k = 0; k < means.Length; k++) means[k] /= rows;
        return means;
    }

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var k = 0; k < a.Length; k++) sum += a[k] * b[k];
        return sum;
    }
}
