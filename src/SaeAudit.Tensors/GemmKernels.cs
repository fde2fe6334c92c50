using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using X86 = System.Runtime.Intrinsics.X86;

namespace SaeAudit.Tensors;

/// <summary>Instruction set of the GEMM micro-kernel. <see cref="Auto"/> picks the widest one this CPU runs.</summary>
public enum GemmIsa
{
    Auto,
    Avx512,
    Avx2,
    Portable,
}

/// <summary>A register-blocked GEMM micro-kernel. One call computes an <see cref="MR"/>×<see cref="NR"/> tile
/// tile[i, j] = Σ_p a[p, i]·b[p, j] (+ tile when accumulating) (+ bias[j]) from a packed A strip (kc×MR, k-major)
/// and a packed B panel (kc×NR, k-major).
/// Every kernel computes each element the same way — an FMA chain over p = 0..kc-1 starting from +0, then
/// + C, then + bias — so all kernels, and every tile position, give bit-identical results.</summary>
internal sealed unsafe class GemmKernel
{
    private readonly delegate*<float*, float*, int, float*, nint, bool, float*, void> run;

    private GemmKernel(GemmIsa isa, string name, int mr, int nr, delegate*<float*, float*, int, float*, nint, bool, float*, void> run)
    {
        Isa = isa;
        Name = name;
        MR = mr;
        NR = nr;
        this.run = run;
    }

    /// <summary>Largest <see cref="MR"/> and <see cref="NR"/> of any kernel (sizes the packing buffers).</summary>
    public const int MaxMR = 14, MaxNR = 32;

    public static GemmKernel Avx512 { get; } = new(GemmIsa.Avx512, "avx512 14x32", 14, 32, &Avx512Kernel);

    public static GemmKernel Avx2 { get; } = new(GemmIsa.Avx2, "avx2 6x16", 6, 16, &Avx2Kernel);

    public static GemmKernel Portable { get; } = new(GemmIsa.Portable, "portable 4x8", 4, 8, &PortableKernel);

    public GemmIsa Isa { get; }

    public string Name { get; }

    /// <summary>Rows of the tile (rows of A per packed strip).</summary>
    public int MR { get; }

    /// <summary>Columns of the tile (columns of B per packed panel).</summary>
    public int NR { get; }

    public static bool IsSupported(GemmIsa isa) => isa switch
    {
        GemmIsa.Auto or GemmIsa.Portable => true,
        // Avx512F rather than Vector512.IsHardwareAccelerated: the latter is off on CPUs that down-clock for
        // 512-bit code, but a GEMM kernel still gains from the doubled width there.
        GemmIsa.Avx512 => X86.Avx512F.IsSupported,
        GemmIsa.Avx2 => X86.Avx2.IsSupported && X86.Fma.IsSupported,
        _ => false,
    };

    public static GemmKernel For(GemmIsa isa)
    {
        if (!Enum.IsDefined(isa)) throw new ArgumentOutOfRangeException(nameof(isa), isa, "Unknown GEMM instruction set.");
        if (!IsSupported(isa)) throw new PlatformNotSupportedException($"This CPU does not support the {isa} GEMM kernel.");
        return isa switch
        {
            GemmIsa.Avx512 => Avx512,
            GemmIsa.Avx2 => Avx2,
            GemmIsa.Portable => Portable,
            _ => IsSupported(GemmIsa.Avx512) ? Avx512 : IsSupported(GemmIsa.Avx2) ? Avx2 : Portable,
        };
    }

    /// <summary>Computes one full tile at <paramref name="c"/> (row stride <paramref name="ldc"/>): overwrites it,
    /// or adds to it when <paramref name="accumulate"/>; then adds <paramref name="bias"/>[0..NR) unless null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Run(float* packedA, float* packedB, int kc, float* c, nint ldc, bool accumulate, float* bias) =>
        run(packedA, packedB, kc, c, ldc, accumulate, bias);

    /// <summary>AVX-512: 14×32 tile, 28 zmm accumulators + 2 B vectors + 1 broadcast (32 registers available).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Avx512Kernel(float* pa, float* pb, int kc, float* c, nint ldc, bool accumulate, float* bias)
    {
        var c0_0 = Vector512<float>.Zero; var c0_1 = Vector512<float>.Zero;
        var c1_0 = Vector512<float>.Zero; var c1_1 = Vector512<float>.Zero;
        var c2_0 = Vector512<float>.Zero; var c2_1 = Vector512<float>.Zero;
        var c3_0 = Vector512<float>.Zero; var c3_1 = Vector512<float>.Zero;
        var c4_0 = Vector512<float>.Zero; var c4_1 = Vector512<float>.Zero;
        var c5_0 = Vector512<float>.Zero; var c5_1 = Vector512<float>.Zero;
        var c6_0 = Vector512<float>.Zero; var c6_1 = Vector512<float>.Zero;
        var c7_0 = Vector512<float>.Zero; var c7_1 = Vector512<float>.Zero;
        var c8_0 = Vector512<float>.Zero; var c8_1 = Vector512<float>.Zero;
        var c9_0 = Vector512<float>.Zero; var c9_1 = Vector512<float>.Zero;
        var c10_0 = Vector512<float>.Zero; var c10_1 = Vector512<float>.Zero;
        var c11_0 = Vector512<float>.Zero; var c11_1 = Vector512<float>.Zero;
        var c12_0 = Vector512<float>.Zero; var c12_1 = Vector512<float>.Zero;
        var c13_0 = Vector512<float>.Zero; var c13_1 = Vector512<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(pb + 0); var b1 = Vector512.Load(pb + 16);
            var a0 = Vector512.Create(pa[0]); c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0); c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector512.Create(pa[1]); c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0); c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector512.Create(pa[2]); c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0); c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector512.Create(pa[3]); c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0); c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector512.Create(pa[4]); c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0); c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector512.Create(pa[5]); c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0); c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            var a6 = Vector512.Create(pa[6]); c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0); c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
            var a7 = Vector512.Create(pa[7]); c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0); c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            var a8 = Vector512.Create(pa[8]); c8_0 = Vector512.FusedMultiplyAdd(a8, b0, c8_0); c8_1 = Vector512.FusedMultiplyAdd(a8, b1, c8_1);
            var a9 = Vector512.Create(pa[9]); c9_0 = Vector512.FusedMultiplyAdd(a9, b0, c9_0); c9_1 = Vector512.FusedMultiplyAdd(a9, b1, c9_1);
            var a10 = Vector512.Create(pa[10]); c10_0 = Vector512.FusedMultiplyAdd(a10, b0, c10_0); c10_1 = Vector512.FusedMultiplyAdd(a10, b1, c10_1);
            var a11 = Vector512.Create(pa[11]); c11_0 = Vector512.FusedMultiplyAdd(a11, b0, c11_0); c11_1 = Vector512.FusedMultiplyAdd(a11, b1, c11_1);
            var a12 = Vector512.Create(pa[12]); c12_0 = Vector512.FusedMultiplyAdd(a12, b0, c12_0); c12_1 = Vector512.FusedMultiplyAdd(a12, b1, c12_1);
            var a13 = Vector512.Create(pa[13]); c13_0 = Vector512.FusedMultiplyAdd(a13, b0, c13_0); c13_1 = Vector512.FusedMultiplyAdd(a13, b1, c13_1);
            pa += 14;
            pb += 32;
        }
        var bias0 = bias == null ? Vector512<float>.Zero : Vector512.Load(bias + 0); var bias1 = bias == null ? Vector512<float>.Zero : Vector512.Load(bias + 16);
        Finish(c + 0 * ldc, c0_0, c0_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 1 * ldc, c1_0, c1_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 2 * ldc, c2_0, c2_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 3 * ldc, c3_0, c3_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 4 * ldc, c4_0, c4_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 5 * ldc, c5_0, c5_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 6 * ldc, c6_0, c6_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 7 * ldc, c7_0, c7_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 8 * ldc, c8_0, c8_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 9 * ldc, c9_0, c9_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 10 * ldc, c10_0, c10_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 11 * ldc, c11_0, c11_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 12 * ldc, c12_0, c12_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 13 * ldc, c13_0, c13_1, accumulate, bias != null, bias0, bias1);
    }

    /// <summary>AVX2 + FMA: 6×16 tile, 12 ymm accumulators + 2 B vectors + 1 broadcast (16 registers available).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Avx2Kernel(float* pa, float* pb, int kc, float* c, nint ldc, bool accumulate, float* bias)
    {
        var c0_0 = Vector256<float>.Zero; var c0_1 = Vector256<float>.Zero;
        var c1_0 = Vector256<float>.Zero; var c1_1 = Vector256<float>.Zero;
        var c2_0 = Vector256<float>.Zero; var c2_1 = Vector256<float>.Zero;
        var c3_0 = Vector256<float>.Zero; var c3_1 = Vector256<float>.Zero;
        var c4_0 = Vector256<float>.Zero; var c4_1 = Vector256<float>.Zero;
        var c5_0 = Vector256<float>.Zero; var c5_1 = Vector256<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(pb + 0); var b1 = Vector256.Load(pb + 8);
            var a0 = Vector256.Create(pa[0]); c0_0 = Vector256.FusedMultiplyAdd(a0, b0, c0_0); c0_1 = Vector256.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector256.Create(pa[1]); c1_0 = Vector256.FusedMultiplyAdd(a1, b0, c1_0); c1_1 = Vector256.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector256.Create(pa[2]); c2_0 = Vector256.FusedMultiplyAdd(a2, b0, c2_0); c2_1 = Vector256.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector256.Create(pa[3]); c3_0 = Vector256.FusedMultiplyAdd(a3, b0, c3_0); c3_1 = Vector256.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector256.Create(pa[4]); c4_0 = Vector256.FusedMultiplyAdd(a4, b0, c4_0); c4_1 = Vector256.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector256.Create(pa[5]); c5_0 = Vector256.FusedMultiplyAdd(a5, b0, c5_0); c5_1 = Vector256.FusedMultiplyAdd(a5, b1, c5_1);
            pa += 6;
            pb += 16;
        }
        var bias0 = bias == null ? Vector256<float>.Zero : Vector256.Load(bias + 0); var bias1 = bias == null ? Vector256<float>.Zero : Vector256.Load(bias + 8);
        Finish(c + 0 * ldc, c0_0, c0_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 1 * ldc, c1_0, c1_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 2 * ldc, c2_0, c2_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 3 * ldc, c3_0, c3_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 4 * ldc, c4_0, c4_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 5 * ldc, c5_0, c5_1, accumulate, bias != null, bias0, bias1);
    }

    /// <summary>Any platform (SSE, NEON, or software Vector128): 4×8 tile, 8 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PortableKernel(float* pa, float* pb, int kc, float* c, nint ldc, bool accumulate, float* bias)
    {
        var c0_0 = Vector128<float>.Zero; var c0_1 = Vector128<float>.Zero;
        var c1_0 = Vector128<float>.Zero; var c1_1 = Vector128<float>.Zero;
        var c2_0 = Vector128<float>.Zero; var c2_1 = Vector128<float>.Zero;
        var c3_0 = Vector128<float>.Zero; var c3_1 = Vector128<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(pb + 0); var b1 = Vector128.Load(pb + 4);
            var a0 = Vector128.Create(pa[0]); c0_0 = Vector128.FusedMultiplyAdd(a0, b0, c0_0); c0_1 = Vector128.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector128.Create(pa[1]); c1_0 = Vector128.FusedMultiplyAdd(a1, b0, c1_0); c1_1 = Vector128.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector128.Create(pa[2]); c2_0 = Vector128.FusedMultiplyAdd(a2, b0, c2_0); c2_1 = Vector128.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector128.Create(pa[3]); c3_0 = Vector128.FusedMultiplyAdd(a3, b0, c3_0); c3_1 = Vector128.FusedMultiplyAdd(a3, b1, c3_1);
            pa += 4;
            pb += 8;
        }
        var bias0 = bias == null ? Vector128<float>.Zero : Vector128.Load(bias + 0); var bias1 = bias == null ? Vector128<float>.Zero : Vector128.Load(bias + 4);
        Finish(c + 0 * ldc, c0_0, c0_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 1 * ldc, c1_0, c1_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 2 * ldc, c2_0, c2_1, accumulate, bias != null, bias0, bias1);
        Finish(c + 3 * ldc, c3_0, c3_1, accumulate, bias != null, bias0, bias1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(float* row, Vector512<float> acc0, Vector512<float> acc1, bool accumulate, bool hasBias, Vector512<float> bias0, Vector512<float> bias1)
    {
        if (accumulate)
        {
            acc0 += Vector512.Load(row + 0);
            acc1 += Vector512.Load(row + 16);
        }
        if (hasBias)
        {
            acc0 += bias0;
            acc1 += bias1;
        }
        acc0.Store(row + 0);
        acc1.Store(row + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(float* row, Vector256<float> acc0, Vector256<float> acc1, bool accumulate, bool hasBias, Vector256<float> bias0, Vector256<float> bias1)
    {
        if (accumulate)
        {
            acc0 += Vector256.Load(row + 0);
            acc1 += Vector256.Load(row + 8);
        }
        if (hasBias)
        {
            acc0 += bias0;
            acc1 += bias1;
        }
        acc0.Store(row + 0);
        acc1.Store(row + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(float* row, Vector128<float> acc0, Vector128<float> acc1, bool accumulate, bool hasBias, Vector128<float> bias0, Vector128<float> bias1)
    {
        if (accumulate)
        {
            acc0 += Vector128.Load(row + 0);
            acc1 += Vector128.Load(row + 4);
        }
        if (hasBias)
        {
            acc0 += bias0;
            acc1 += bias1;
        }
        acc0.Store(row + 0);
        acc1.Store(row + 4);
    }
}
