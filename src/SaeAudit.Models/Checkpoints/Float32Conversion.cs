using SaeAudit.Tensors;

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
                WeightType.BFloat16.Widen(new ReadOnlySpan<byte>(source, 2 * count), dst);
                break;
            case SafetensorsDType.F16:
                WeightType.Float16.Widen(new ReadOnlySpan<byte>(source, 2 * count), dst);
                break;
            case SafetensorsDType.F64:
                var src = new ReadOnlySpan<double>(source, count);
                for (var i = 0; i < src.Length; i++) dst[i] = (float)src[i];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a float dtype");
        }
    }
}
