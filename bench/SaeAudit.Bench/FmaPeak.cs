using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SaeAudit.Bench;

/// <summary>The machine's float32 FMA peak: a loop of independent 512-bit FMAs on registers only (no loads), run
/// on 1..n threads at once. It is the ceiling any GEMM kernel on this machine can reach.</summary>
internal static class FmaPeak
{
    /// <summary>Floating-point operations of one loop iteration: 16 FMAs × 16 lanes × 2 (multiply + add).</summary>
    private const double FlopsPerIteration = 16 * 16 * 2;

    /// <summary>GFLOP/s of <paramref name="threads"/> threads running the loop together (best of
    /// <paramref name="trials"/> runs of about <paramref name="seconds"/> each).</summary>
    public static double GigaflopsPerSecond(int threads, double seconds = 0.4, int trials = 3)
    {
        if (!Avx512F.IsSupported) throw new PlatformNotSupportedException("the FMA peak loop needs AVX-512F");
        // Size the run from a short single-thread probe (also JIT-compiles the loop).
        var probe = Stopwatch.StartNew();
        const long ProbeIterations = 2_000_000;
        Run(ProbeIterations);
        var iterations = (long)(ProbeIterations * seconds / probe.Elapsed.TotalSeconds);

        double best = 0;
        for (var trial = 0; trial < trials; trial++)
        {
            using var start = new Barrier(threads + 1);
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                Run(iterations);
            })).ToList();
            workers.ForEach(w => w.Start());
            start.SignalAndWait();
            var clock = Stopwatch.StartNew();
            workers.ForEach(w => w.Join());
            best = Math.Max(best, threads * iterations * FlopsPerIteration / clock.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    /// <summary>16 independent accumulators cover the FMA latency (4 cycles) × 2 FMA ports twice over.
    /// acc = acc·0.5 + 1 converges to 2, so no value ever overflows or goes denormal.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run(long iterations)
    {
        var half = Vector512.Create(0.5f);
        var one = Vector512.Create(1f);
        Vector512<float> a0 = one, a1 = one, a2 = one, a3 = one, a4 = one, a5 = one, a6 = one, a7 = one;
        Vector512<float> a8 = one, a9 = one, a10 = one, a11 = one, a12 = one, a13 = one, a14 = one, a15 = one;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, half, one); a1 = Avx512F.FusedMultiplyAdd(a1, half, one);
            a2 = Avx512F.FusedMultiplyAdd(a2, half, one); a3 = Avx512F.FusedMultiplyAdd(a3, half, one);
            a4 = Avx512F.FusedMultiplyAdd(a4, half, one); a5 = Avx512F.FusedMultiplyAdd(a5, half, one);
            a6 = Avx512F.FusedMultiplyAdd(a6, half, one); a7 = Avx512F.FusedMultiplyAdd(a7, half, one);
            a8 = Avx512F.FusedMultiplyAdd(a8, half, one); a9 = Avx512F.FusedMultiplyAdd(a9, half, one);
            a10 = Avx512F.FusedMultiplyAdd(a10, half, one); a11 = Avx512F.FusedMultiplyAdd(a11, half, one);
            a12 = Avx512F.FusedMultiplyAdd(a12, half, one); a13 = Avx512F.FusedMultiplyAdd(a13, half, one);
            a14 = Avx512F.FusedMultiplyAdd(a14, half, one); a15 = Avx512F.FusedMultiplyAdd(a15, half, one);
        }
        // Use every accumulator so the JIT cannot drop any chain.
        var sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)) + ((a12 + a13) + (a14 + a15));
        return Vector512.Sum(sum);
    }
}
