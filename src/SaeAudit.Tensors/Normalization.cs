using System.Numerics.Tensors;

namespace SaeAudit.Tensors;

/// <summary>Row-wise LayerNorm and RMSNorm. The row statistics (mean, variance, mean square) are accumulated in
/// float64 in a fixed order; each element is normalized in float64 and rounded to float32 once, and the gain (and
/// bias) are then applied in float32. So a row's result depends only on that row.</summary>
internal static class Normalization
{
    /// <summary>LayerNorm of rows [firstRow, firstRow + rowCount): (x - mean) / sqrt(var + eps) · weight + bias,
    /// biased variance (two-pass, as torch), the affine part one float32 fused multiply-add per element.</summary>
    public static void LayerNorm(Tensor x, Tensor weight, Tensor? bias, float eps, Tensor output, int firstRow, int rowCount)
    {
        int n = x.Columns;
        for (int row = firstRow; row < firstRow + rowCount; row++)
        {
            var source = x.Row(row);
            var target = output.Row(row);
            double mean = FixedOrderSum.Sum(source) / n;
            double variance = FixedOrderSum.SumOfSquares(source, mean) / n;
            FixedOrderSum.ScaleCentered(source, mean, 1.0 / Math.Sqrt(variance + eps), target);
            if (bias is null) TensorPrimitives.Multiply(target, weight.Data, target);
            else TensorPrimitives.FusedMultiplyAdd(target, weight.Data, bias.Data, target);
        }
    }

    /// <summary>RMSNorm of rows [firstRow, firstRow + rowCount): x / sqrt(mean(x²) + eps) · gain
    /// (gain from <see cref="RmsGain"/>).</summary>
    public static void RmsNorm(Tensor x, float[] gain, float eps, Tensor output, int firstRow, int rowCount)
    {
        int n = x.Columns;
        for (int row = firstRow; row < firstRow + rowCount; row++)
        {
            var source = x.Row(row);
            var target = output.Row(row);
            double meanSquare = FixedOrderSum.SumOfSquares(source, 0) / n;
            FixedOrderSum.ScaleCentered(source, 0, 1.0 / Math.Sqrt(meanSquare + eps), target);
            TensorPrimitives.Multiply(target, gain, target);
        }
    }

    /// <summary>The RMSNorm gain: weight, or 1 + weight rounded to float32 as Gemma computes it.</summary>
    public static float[] RmsGain(Tensor weight, bool addOneToWeight)
    {
        if (!addOneToWeight) return weight.Data;
        var gain = new float[weight.Data.Length];
        TensorPrimitives.Add(weight.Data, 1f, gain);
        return gain;
    }
}
