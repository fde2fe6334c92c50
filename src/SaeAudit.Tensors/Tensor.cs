namespace SaeAudit.Tensors;

/// <summary>A dense float32 tensor in row-major (C) order: the engine computes in float32 only. Weights may also be
/// BF16/F16 <see cref="WeightMatrix"/> views, widened to float32 exactly where they are read.</summary>
public sealed class Tensor
{
    public Tensor(float[] data, params int[] shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentOutOfRangeException(nameof(shape), "negative dimension");
            count *= d;
        }
        if (count != data.LongLength)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] needs {count} values, got {data.LongLength}");
        Data = data;
        Shape = shape;
    }

    public static Tensor Zeros(params int[] shape)
    {
        long count = 1;
        foreach (var d in shape) count *= d;
        return new Tensor(new float[count], shape);
    }

    public float[] Data { get; }

    public int[] Shape { get; }

    public int Rank => Shape.Length;

    public long Length => Data.LongLength;

    /// <summary>Size of the last dimension (the row width of the row-major layout).</summary>
    public int Columns => Shape.Length == 0 ? 1 : Shape[^1];

    /// <summary>Product of all dimensions but the last.</summary>
    public int Rows
    {
        get
        {
            // The product itself rather than Length / Columns, which is 0 for a zero-width [r, 0] tensor.
            long rows = 1;
            for (int i = 0; i < Shape.Length - 1; i++) rows *= Shape[i];
            return (int)rows;
        }
    }

    public Span<float> Row(int i) => Data.AsSpan(i * Columns, Columns);

    public Span<float> AsSpan() => Data;

    public Tensor Reshape(params int[] shape) => new(Data, shape);

    public override string ToString() => $"Tensor[{string.Join(", ", Shape)}]";
}
