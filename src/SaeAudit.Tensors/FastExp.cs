using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SaeAudit.Tensors;

/// <summary>Vectorized float32 eˣ (Cephes expf: x = n·ln2 + r, degree-6 polynomial, scale by 2ⁿ), relative error
/// about 1e-7 (within 1 ulp, like torch's Sleef expf; the tests bound it) at a fraction of TensorPrimitives.Exp's
/// cost, which widens to float64. Results below float.MinNormal (x &lt; -87.34) flush to 0. Written on Vector512 only — run as two or four
/// narrower vectors where 512-bit is missing — so every element gets the same operations on any CPU.</summary>
internal static class FastExp
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f;   // ln 2 split so n·Ln2High is exact for |n| ≤ 128
    private const float Ln2Low = -2.12194440e-4f;
    private const float MinInput = -87.33654f;    // ln(float.MinNormal)
    private const float MaxInput = 88.72284f;     // ln(float.MaxValue)

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var clamped = Vector512.Min(Vector512.Max(x, Vector512.Create(MinInput)), Vector512.Create(MaxInput));
        var n = Vector512.Round(clamped * Vector512.Create(Log2E));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2High), clamped);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Low), r);

        var p = Vector512.Create(1.9875691500E-4f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507E-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073E-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894E-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459E-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201E-1f));
        var y = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;

        // n reaches 128 just below MaxInput, one past the largest exponent: fold that factor 2 into y.
        var top = Vector512.GreaterThan(n, Vector512.Create(127f));
        y = Vector512.ConditionalSelect(top, y + y, y);
        n = Vector512.Min(n, Vector512.Create(127f));
        // n is integral and within [-126, 127] (NaN lanes are replaced below), so the native conversion is exact.
        var scale = (Vector512.ConvertToInt32Native(n) + Vector512.Create(127)) << 23;
        var result = y * scale.AsSingle();

        result = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(MinInput)), Vector512<float>.Zero, result);
        result = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(MaxInput)), Vector512.Create(float.PositiveInfinity), result);
        return Vector512.ConditionalSelect(Vector512.IsNaN(x), x, result);
    }

    /// <summary>In place: s[i] = exp(s[i] - shift). A tail shorter than a vector goes through a padded vector, so an
    /// element's result never depends on where it sits.</summary>
    public static void ExpShifted(Span<float> s, float shift)
    {
        ref float start = ref MemoryMarshal.GetReference(s);
        var offset = Vector512.Create(shift);
        int i = 0;
        for (; i <= s.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            Exp(Vector512.LoadUnsafe(ref start, (nuint)i) - offset).StoreUnsafe(ref start, (nuint)i);
        if (i < s.Length)
        {
            Span<float> tail = stackalloc float[Vector512<float>.Count];
            s[i..].CopyTo(tail);
            Exp(Vector512.Create<float>(tail) - offset).CopyTo(tail);
            tail[..(s.Length - i)].CopyTo(s[i..]);
        }
    }
}
