using SaeAudit.Evaluation.Metrics;
using SaeAudit.Tensors;

namespace SaeAudit.Evaluation.Tests.Metrics;

/// <summary>Builders for the tiny hand-computed inputs of the metrics tests.</summary>
internal static class MetricsTestData
{
    /// <summary>A [rows, columns] tensor from row-major values.</summary>
    public static Tensor Matrix(int rows, int columns, params float[] values) => new(values, rows, columns);

    /// <summary>A mask of <paramref name="count"/> tokens in rows of <paramref name="sequence"/>, with the given
    /// special and outlier token indices.</summary>
    public static TokenMask Mask(int sequence, int count, int[]? special = null, int[]? outliers = null)
    {
        var isSpecial = new bool[count];
        var isOutlier = new bool[count];
        foreach (var i in special ?? []) isSpecial[i] = true;
        foreach (var i in outliers ?? []) isOutlier[i] = true;
        return new TokenMask(sequence, isSpecial, isOutlier);
    }
}
