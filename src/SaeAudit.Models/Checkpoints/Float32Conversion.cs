using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SaeAudit.Models.Checkpoints;

/// <summary>Converts stored float tensors to float32: F32 copies, BF16 and F16 widen exactly, F64 rounds to nearest.
/// Large tensors are converted in parallel chunks so loading runs at memory bandwidth (the work is
/// element-wise, so the result does not depend on the thread count).</summary>
internal static unsafe class Float32Conversion
{
    private const int ChunkElements = 1 << 20;

    public static void Convert(SafetensorsDType dtype, byte* source, float* destination, long count)
    {
        if (count <= ChunkElements)
        {
            ConvertChunk(dtype, source, destination, (int)count);
            return;
        }
        var size = dtype.Size();
        var chunks = (count + ChunkElements - 1) / ChunkElements;
        nint src = (nint)source, dst = (nint)destination;
        Parallel.For(0L, chunks, c =>
        {
            var start = c * ChunkElements;
            var n = (int)Math.Min(ChunkElements, count - start);
            ConvertChunk(dtype, (byte*)src + start * size, (float*)dst + start, n);
        });
    }

    private static void ConvertChunk(SafetensorsDType dtype, byte* source, float* destination, int count)
    {
        var dst = new Span<float>(destination, count);
        switch (dtype)
        {
            case SafetensorsDType.F32:
                new ReadOnlySpan<float>(source, count).CopyTo(dst);
                break;
            case SafetensorsDType.BF16:
                WidenBFloat16(new ReadOnlySpan<ushort>(source, count), dst);
                break;
            case SafetensorsDType.F16:
                // Vectorized and exact (subnormals, infinities and NaNs included; checked against all 65536 patterns in tests).
                TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(source, count), dst);
                break;
            case SafetensorsDType.F64:
                var src = new ReadOnlySpan<double>(source, count);
                for (var i = 0; i < src.Length; i++) dst[i] = (float)src[i];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a float dtype");
        }
    }

    /// <summary>bfloat16 is the upper half of a float32, so widening is a 16-bit shift of the bit pattern.</summary>
    public static void WidenBFloat16(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination too short", nameof(destination));
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
