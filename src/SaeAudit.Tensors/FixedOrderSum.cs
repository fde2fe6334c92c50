using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SaeAudit.Tensors;

/// <summary>Float64 reductions of float32 spans in an order fixed by the length alone (not by alignment, thread or
/// instruction set): 16 lanes (two Vector512&lt;double&gt;, which .NET runs as narrower vectors where 512-bit is
/// missing), lanes folded in index order, then the tail in order. TensorPrimitives' reductions are not used
/// here because their order may follow the data's alignment.</summary>
internal static class FixedOrderSum
{
    private const int Lanes = 16;

    /// <summary>Σ x[i].</summary>
    public static double Sum(ReadOnlySpan<float> x)
    {
        ref float start = ref MemoryMarshal.GetReference(x);
        var low = Vector512<double>.Zero;
        var high = Vector512<double>.Zero;
        int i = 0;
        for (; i <= x.Length - Lanes; i += Lanes)
        {
            var (l, h) = Vector512.Widen(Vector512.LoadUnsafe(ref start, (nuint)i));
            low += l;
            high += h;
        }
        double sum = Fold(low, high);
        for (; i < x.Length; i++) sum += x[i];
        return sum;
    }

    /// <summary>Σ (x[i] - center)², each term a fused multiply-add.</summary>
    public static double SumOfSquares(ReadOnlySpan<float> x, double center)
    {
        ref float start = ref MemoryMarshal.GetReference(x);
        var c = Vector512.Create(center);
        var low = Vector512<double>.Zero;
        var high = Vector512<double>.Zero;
        int i = 0;
        for (; i <= x.Length - Lanes; i += Lanes)
        {
            var (l, h) = Vector512.Widen(Vector512.LoadUnsafe(ref start, (nuint)i));
            l -= c;
            h -= c;
            low = Vector512.FusedMultiplyAdd(l, l, low);
            high = Vector512.FusedMultiplyAdd(h, h, high);
        }
        double sum = Fold(low, high);
        for (; i < x.Length; i++)
        {
            double d = x[i] - center;
            sum = Math.FusedMultiplyAdd(d, d, sum);
        }
        return sum;
    }

    /// <summary>dst[i] = (float)((x[i] - center) · scale), computed in float64 and rounded once.</summary>
    public static void ScaleCentered(ReadOnlySpan<float> x, double center, double scale, Span<float> dst)
    {
        ref float source = ref MemoryMarshal.GetReference(x);
        ref float target = ref MemoryMarshal.GetReference(dst);
        var c = Vector512.Create(center);
        var s = Vector512.Create(scale);
        int i = 0;
        for (; i <= x.Length - Lanes; i += Lanes)
        {
            var (l, h) = Vector512.Widen(Vector512.LoadUnsafe(ref source, (nuint)i));
            Vector512.Narrow((l - c) * s, (h - c) * s).StoreUnsafe(ref target, (nuint)i);
        }
        for (; i < x.Length; i++) dst[i] = (float)((x[i] - center) * scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Fold(Vector512<double> low, Vector512<double> high)
    {
        double sum = 0;
        for (int lane = 0; lane < Vector512<double>.Count; lane++) sum += low[lane];
        for (int lane = 0; lane < Vector512<double>.Count; lane++) sum += high[lane];
        return sum;
    }
}
