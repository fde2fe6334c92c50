namespace SaeAudit.Models.Checkpoints;

/// <summary>One tensor of a safetensors header: dtype, shape and its byte range within the data section
/// (the header's <c>data_offsets</c>, relative to the first byte after the header).</summary>
public sealed class TensorEntry
{
    private readonly int[] _shape;

    internal TensorEntry(string name, SafetensorsDType dtype, int[] shape, long begin, long end)
    {
        Name = name;
        DType = dtype;
        _shape = shape;
        Begin = begin;
        End = end;
        ElementCount = ElementCountOf(shape);
    }

    public string Name { get; }

    public SafetensorsDType DType { get; }

    public IReadOnlyList<int> Shape => _shape;

    /// <summary>First byte, relative to the data section.</summary>
    public long Begin { get; }

    /// <summary>One past the last byte, relative to the data section.</summary>
    public long End { get; }

    public long ByteLength => End - Begin;

    public long ElementCount { get; }

    /// <summary>A fresh copy of the shape (callers may keep or mutate it).</summary>
    public int[] ShapeArray() => (int[])_shape.Clone();

    /// <summary>"[4096, 128]", as error messages and logs print shapes.</summary>
    public string ShapeText => FormatShape(_shape);

    public override string ToString() => $"{Name} {DType.Name()} {ShapeText}";

    internal static long ElementCountOf(IReadOnlyList<int> shape)
    {
        long count = 1;
        foreach (var d in shape) count = checked(count * d);
        return count;
    }

    internal static string FormatShape(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";
}
