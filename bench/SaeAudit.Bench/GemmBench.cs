using System.Diagnostics;
using SaeAudit.Tensors;

namespace SaeAudit.Bench;

/// <summary>One GEMM of the audit: c[m,n] = a[m,k]·B, B = b[k,n] or, transposed, b[n,k] (the unembedding layout).</summary>
/// <param name="InRatio">Part of the issue's shape list, which the summary ratios average over.</param>
internal sealed record GemmShape(string Name, int M, int K, int N, bool TransposeB, bool InRatio)
{
    public double Flops => 2.0 * M * K * N;

    public string Label => $"{M}×{K}×{N}{(TransposeB ? "ᵀ" : "")}";

    /// <summary>The audit's shapes for one batch of 16 rows × 128 tokens (torch_gemm.py lists the same ones).</summary>
    public static IReadOnlyList<GemmShape> Audit { get; } =
    [
        new("gpt2 mlp up (c_fc)", 2048, 768, 3072, false, true),
        new("sae encode d_sae 24576", 2048, 768, 24576, false, true),
        new("gpt2 mlp down (c_proj)", 2048, 3072, 768, false, true),
        new("gpt2-tiny unembed", 2048, 128, 4096, true, true),
        new("sae decode (dense)", 2048, 24576, 768, false, true),
        // Not in the issue's list, but the largest GEMM of a GPT-2-small audit (6 per batch).
        new("gpt2 unembed", 2048, 768, 50257, true, false),
        // How AuditRunner unembeds: the clean, SAE and zero runs' rows of one 333-row logits chunk in one GEMM.
        new("gpt2 unembed, 3 × 333-row chunk", 999, 768, 50257, true, false),
    ];

    /// <summary>Shapes given as <c>MxKxN</c>, with a trailing <c>T</c> for a transposed B (for trying other sizes).</summary>
    public static IReadOnlyList<GemmShape> Parse(string list) => list.Split(',').Select(text =>
    {
        var transpose = text.EndsWith('T');
        var sizes = text.TrimEnd('T').Split('x').Select(int.Parse).ToArray();
        return new GemmShape(text, sizes[0], sizes[1], sizes[2], transpose, false);
    }).ToList();
}

/// <summary>Times <see cref="CpuBackend.MatMul"/> on the audit's shapes: warm-up, then the median of repeated calls.</summary>
internal static class GemmBench
{
    /// <param name="NewOutputGflops">With a freshly allocated output per call, as code that allocates its outputs does
    /// (<c>Tensor.Zeros</c>): adds the allocation, zeroing and page faults of c. Measured at the highest thread count.</param>
    public sealed record Timing(string Name, string Shape, int M, int K, int N, bool TransposeB, bool InRatio,
        int Threads, int Repetitions, double MedianSeconds, double Gflops, double? NewOutputGflops);

    public static List<Timing> Run(IReadOnlyList<GemmShape> shapes, IReadOnlyList<int> threadCounts, double secondsPerShape,
        int minReps, int maxReps)
    {
        var timings = new List<Timing>();
        foreach (var shape in shapes)
        {
            var random = new Random(1234);
            var a = RandomTensor(random, shape.M, shape.K);
            var b = shape.TransposeB ? RandomTensor(random, shape.N, shape.K) : RandomTensor(random, shape.K, shape.N);
            var c = Tensor.Zeros(shape.M, shape.N);
            foreach (var threads in threadCounts)
            {
                var backend = new CpuBackend(threads);
                // Two warm-up calls: JIT tiers, per-thread packing buffers, page faults of c.
                backend.MatMul(a, b, c, shape.TransposeB);
                backend.MatMul(a, b, c, shape.TransposeB);
                var seconds = Repeat(() => backend.MatMul(a, b, c, shape.TransposeB), secondsPerShape, minReps, maxReps);
                var median = Median(seconds);
                double? newOutput = null;
                if (threads == threadCounts.Max())
                    newOutput = shape.Flops / Median(Repeat(() => backend.MatMul(a, b, Tensor.Zeros(shape.M, shape.N), shape.TransposeB),
                        secondsPerShape, minReps, maxReps)) / 1e9;
                timings.Add(new Timing(shape.Name, shape.Label, shape.M, shape.K, shape.N, shape.TransposeB, shape.InRatio,
                    threads, seconds.Count, median, shape.Flops / median / 1e9, newOutput));
                Console.Error.WriteLine($"gemm {shape.Label,-18} {threads} thread(s): {shape.Flops / median / 1e9,7:F1} GFLOP/s ({seconds.Count} reps)"
                    + (newOutput is { } fresh ? $", {fresh:F1} with a new output per call" : ""));
            }
        }
        return timings;
    }

    /// <summary>Seconds of each call: at least <paramref name="minReps"/>, then more until the time budget or
    /// <paramref name="maxReps"/> is reached.</summary>
    private static List<double> Repeat(Action call, double budgetSeconds, int minReps, int maxReps)
    {
        var seconds = new List<double>();
        var total = Stopwatch.StartNew();
        while (seconds.Count < minReps || (seconds.Count < maxReps && total.Elapsed.TotalSeconds < budgetSeconds))
        {
            var clock = Stopwatch.StartNew();
            call();
            seconds.Add(clock.Elapsed.TotalSeconds);
        }
        return seconds;
    }

    private static Tensor RandomTensor(Random random, int rows, int columns)
    {
        var data = new float[(long)rows * columns];
        for (long i = 0; i < data.LongLength; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
        return new Tensor(data, rows, columns);
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
