using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Runtime.InteropServices;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Checkpoints;

/// <summary>An array read from a .npy file: its numpy dtype, shape and little-endian C-order bytes, converted on demand.</summary>
public sealed class NpyArray
{
    private readonly byte[] _data;
    private readonly int[] _shape;

    internal NpyArray(string path, string dtype, int[] shape, byte[] data)
    {
        Path = path;
        DType = dtype;
        _shape = shape;
        _data = data;
        Length = TensorEntry.ElementCountOf(shape);
    }

    /// <summary>The file it was read from (for messages).</summary>
    public string Path { get; }

    /// <summary>The numpy <c>descr</c>: "&lt;f4", "&lt;i8", "|u1", ...</summary>
    public string DType { get; }

    public IReadOnlyList<int> Shape => _shape;

    public long Length { get; }

    private char Kind => DType[1];

    private int ItemSize => DType[2] - '0';

    /// <summary>Float arrays (f2/f4 exactly, f8 rounded to nearest) as a float32 tensor.</summary>
    public Tensor ToFloat32()
    {
        if (Kind != 'f') throw NotA("a float array (<f2, <f4, <f8)");
        var result = new float[Length];
        switch (ItemSize)
        {
            case 2:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(_data), result);
                break;
            case 4:
                MemoryMarshal.Cast<byte, float>(_data).CopyTo(result);
                break;
            default:
                var doubles = MemoryMarshal.Cast<byte, double>(_data);
                for (var i = 0; i < result.Length; i++) result[i] = (float)doubles[i];
                break;
        }
        return new Tensor(result, (int[])_shape.Clone());
    }

    /// <summary>Integer (or bool) arrays as int32; a value outside int32 is an <see cref="InvalidInputException"/>.</summary>
    public int[] ToInt32()
    {
        RequireInteger();
        var result = new int[Length];
        if (DType == "<i4")
        {
            MemoryMarshal.Cast<byte, int>(_data).CopyTo(result);
            return result;
        }
        for (var i = 0; i < result.Length; i++)
        {
            var value = IntegerAt(i);
            if (value < int.MinValue || value > int.MaxValue) throw DoesNotFit(i, value, "int32");
            result[i] = (int)value;
        }
        return result;
    }

    /// <summary>Integer (or bool) arrays as int64; a u8 value above <see cref="long.MaxValue"/> is an <see cref="InvalidInputException"/>.</summary>
    public long[] ToInt64()
    {
        RequireInteger();
        var result = new long[Length];
        for (var i = 0; i < result.Length; i++)
        {
            var value = IntegerAt(i);
            if (value > long.MaxValue) throw DoesNotFit(i, value, "int64");
            result[i] = (long)value;
        }
        return result;
    }

    public override string ToString() => $"{DType} {TensorEntry.FormatShape(_shape)}";

    /// <summary>Int128 holds every numpy integer type, so one range check serves i8 and u8 alike.</summary>
    private Int128 IntegerAt(int i)
    {
        var bytes = _data.AsSpan(i * ItemSize, ItemSize);
        return (Kind, ItemSize) switch
        {
            ('b', 1) or ('u', 1) => bytes[0],
            ('i', 1) => (sbyte)bytes[0],
            ('i', 2) => MemoryMarshal.Read<short>(bytes),
            ('u', 2) => MemoryMarshal.Read<ushort>(bytes),
            ('i', 4) => MemoryMarshal.Read<int>(bytes),
            ('u', 4) => MemoryMarshal.Read<uint>(bytes),
            ('i', 8) => MemoryMarshal.Read<long>(bytes),
            ('u', 8) => MemoryMarshal.Read<ulong>(bytes),
            _ => throw new InvalidOperationException($"unexpected dtype {DType}"),
        };
    }

    private void RequireInteger()
    {
        if (Kind is not ('i' or 'u' or 'b')) throw NotA("an integer array (i1..i8, u1..u8, b1)");
    }

    private InvalidInputException NotA(string expected) =>
        InvalidInputException.For(Path, "descr", $"array is {DType}, expected {expected}");

    private InvalidInputException DoesNotFit(int index, Int128 value, string type) =>
        InvalidInputException.For(Path, $"element {index}", $"{value} does not fit in {type}");
}
