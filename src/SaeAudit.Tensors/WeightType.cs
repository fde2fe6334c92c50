using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SaeAudit.Tensors;

/// <summary>Element type of a <see cref="WeightMatrix"/>. The 16-bit types are widened to float32 exactly where the
/// engine reads them, so the arithmetic is the same as on a float32 copy.</summary>
public enum WeightType
{
    Float32,
    BFloat16,
    Float16,
}

public static class WeightTypes
{
    /// <summary>Bytes per element.</summary>
    public static int Size(this WeightType type) => type == WeightType.Float32 ? sizeof(float) : sizeof(ushort);

    /// <summary>"F32", "BF16", "F16", as safetensors spells them.</summary>
    public static string Name(this WeightType type) => type switch
    {
        WeightType.Float32 => "F32",
        WeightType.BFloat16 => "BF16",
        _ => "F16",
    };

    /// <summary>Widens <paramref name="destination"/>.Length elements of <paramref name="type"/> from
    /// <paramref name="source"/> to float32, exactly.</summary>
    public static void Widen(this WeightType type, ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (source.Length < destination.Length * type.Size())
            throw new ArgumentException($"{source.Length} bytes hold fewer than {destination.Length} {type.Name()} values", nameof(source));
        ref var first = ref MemoryMarshal.GetReference(source);
        switch (type)
        {
            case WeightType.Float32:
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, float>(ref first), destination.Length).CopyTo(destination);
                break;
            case WeightType.BFloat16:
                WidenBFloat16(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, ushort>(ref first), destination.Length), destination);
                break;
            default:
                // Vectorized and exact (subnormals, infinities and NaNs included; checked against all 65536 patterns in tests).
                TensorPrimitives.ConvertToSingle(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, Half>(ref first), destination.Length), destination);
                break;
        }
    }

    /// <summary>The packing steps' form of <see cref="Widen(WeightType, ReadOnlySpan{byte}, Span{float})"/>.</summary>
    internal static unsafe void Widen(this WeightType type, void* source, float* destination, int count) =>
        type.Widen(new ReadOnlySpan<byte>(source, count * type.Size()), new Span<float>(destination, count));

    /// <summary>bfloat16 is the upper half of a float32, so widening is a 16-bit shift of the bit pattern.</summary>
    private static void WidenBFloat16(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(destination));
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var step = Vector<ushort>.Count;
            for (; i <= source.Length - step; i += step)
            {
                Vector.Widen(Vector.LoadUnsafe(ref src, (nuint)i), out var low, out var high);
                Vector.ShiftLeft(low, 16).StoreUnsafe(ref dst, (nuint)i);
                Vector.ShiftLeft(high, 16).StoreUnsafe(ref dst, (nuint)(i + Vector<uint>.Count));
            }
        }
        for (; i < source.Length; i++) Unsafe.Add(ref dst, i) = (uint)Unsafe.Add(ref src, i) << 16;
    }
}
