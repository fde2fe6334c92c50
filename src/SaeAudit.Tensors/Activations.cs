using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SaeAudit.Tensors;

/// <summary>Elementwise activations on a span. Each mirrors torch's float32 evaluation order (one rounding per
/// operation, no contraction into FMAs). A tail shorter than a vector goes through a padded vector, so vector and
/// tail elements get identical operations.</summary>
internal static class Activations
{
    /// <summary>(float)√(2/π), as torch rounds the constant of HF gelu_new and of gelu(approximate="tanh").</summary>
    private const float GeluScale = 0.7978845608028654f;

    private const float GeluCubic = 0.044715f;

    private const int Lanes = 16;

    /// <summary>In place: x = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·(x·x·x)))), tanh from TensorPrimitives
    /// (vectorized, a few ulp at most). <paramref name="scratch"/> holds at least x.Length floats.</summary>
    public static void GeluTanh(Span<float> x, Span<float> scratch)
    {
        var inner = scratch[..x.Length];
        Map<GeluInner>(x, inner);
        TensorPrimitives.Tanh(inner, inner);
        Map2<GeluOuter>(x, inner);
    }

    /// <summary>In place: x = x·Φ(x) = 0.5·x·erfc(-x/√2) (exact GELU). erfc(z) = t·exp(-z² + P(t)), t = 1/(1 + z/2), the
    /// Chebyshev fit of Numerical Recipes' erfcc (relative error below 1.1e-7 for every z ≥ 0), so the negative tail,
    /// where 1 + erf(x/√2) would cancel, keeps its relative accuracy.</summary>
    public static void GeluErf(Span<float> x) => Map<GeluErfOp>(x, x);

    /// <summary>In place: x = cap·tanh(x / cap).</summary>
    public static void SoftCap(Span<float> x, float cap)
    {
        TensorPrimitives.Divide(x, cap, x);
        TensorPrimitives.Tanh(x, x);
        TensorPrimitives.Multiply(x, cap, x);
    }

    /// <summary>In place: x = x / (1 + exp(-x)) (SiLU, the form torch's CPU kernel evaluates), exp from
    /// <see cref="FastExp"/>.</summary>
    public static void Silu(Span<float> x) => Map<SiluOp>(x, x);

    /// <summary>destination[i] = f(source[i]); the spans may be the same.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Map<TOp>(ReadOnlySpan<float> source, Span<float> destination)
        where TOp : IUnary
    {
        ref float from = ref MemoryMarshal.GetReference(source);
        ref float to = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        for (; i <= source.Length - Lanes; i += Lanes)
            TOp.Invoke(Vector512.LoadUnsafe(ref from, (nuint)i)).StoreUnsafe(ref to, (nuint)i);
        if (i < source.Length)
        {
            Span<float> tail = stackalloc float[Lanes];
            source[i..].CopyTo(tail);
            TOp.Invoke(Vector512.Create<float>(tail)).CopyTo(tail);
            tail[..(source.Length - i)].CopyTo(destination[i..]);
        }
    }

    /// <summary>x[i] = f(x[i], y[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Map2<TOp>(Span<float> x, ReadOnlySpan<float> y)
        where TOp : IBinary
    {
        ref float first = ref MemoryMarshal.GetReference(x);
        ref float second = ref MemoryMarshal.GetReference(y);
        int i = 0;
        for (; i <= x.Length - Lanes; i += Lanes)
            TOp.Invoke(Vector512.LoadUnsafe(ref first, (nuint)i), Vector512.LoadUnsafe(ref second, (nuint)i)).StoreUnsafe(ref first, (nuint)i);
        if (i < x.Length)
        {
            Span<float> a = stackalloc float[Lanes], b = stackalloc float[Lanes];
            x[i..].CopyTo(a);
            y[i..].CopyTo(b);
            TOp.Invoke(Vector512.Create<float>(a), Vector512.Create<float>(b)).CopyTo(a);
            a[..(x.Length - i)].CopyTo(x[i..]);
        }
    }

    // Operations as static interface members, so Map/Map2 specialize per operation and inline it.
    private interface IUnary
    {
        static abstract Vector512<float> Invoke(Vector512<float> x);
    }

    private interface IBinary
    {
        static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
    }

    /// <summary>√(2/π)·(x + 0.044715·(x·x·x)).</summary>
    private readonly struct GeluInner : IUnary
    {
        public static Vector512<float> Invoke(Vector512<float> x) =>
            Vector512.Create(GeluScale) * (x + Vector512.Create(GeluCubic) * (x * x * x));
    }

    /// <summary>(0.5·x)·(1 + t).</summary>
    private readonly struct GeluOuter : IBinary
    {
        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> t) =>
            Vector512.Create(0.5f) * x * (Vector512<float>.One + t);
    }

    /// <summary>x·Φ(x): Φ = erfc(z)/2 for x &lt; 0 and 1 - erfc(z)/2 otherwise, z = |x|/√2.</summary>
    private readonly struct GeluErfOp : IUnary
    {
        public static Vector512<float> Invoke(Vector512<float> x)
        {
            var z = Vector512.Abs(x) * Vector512.Create(0.70710678118654752f);
            var t = Vector512<float>.One / Vector512.FusedMultiplyAdd(z, Vector512.Create(0.5f), Vector512<float>.One);
            var p = Vector512.Create(0.17087277f);
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(-0.82215223f));
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(1.48851587f));
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(-1.13520398f));
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(0.27886807f));
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(-0.18628806f));
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(0.09678418f));
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(0.37409196f));
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(1.00002368f));
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(-1.26551223f));
            var halfErfc = Vector512.Create(0.5f) * t * FastExp.Exp(Vector512.FusedMultiplyAdd(-z, z, p));
            var phi = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), halfErfc, Vector512<float>.One - halfErfc);
            return x * phi;
        }
    }

    private readonly struct SiluOp : IUnary
    {
        public static Vector512<float> Invoke(Vector512<float> x) => x / (Vector512<float>.One + FastExp.Exp(-x));
    }
}
