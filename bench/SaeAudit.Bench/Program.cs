using System.Text.Json;
using SaeAudit.Bench;
using SaeAudit.Tensors;

// Measurement commands for bench/run (see bench/README.md). Results go to JSON files; progress to stderr.
var json = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

switch (args.FirstOrDefault())
{
    case "gemm":
    {
        var threads = Option("--threads", "1,2").Split(',').Select(int.Parse).ToArray();
        // The peak is measured before and after the GEMMs and the larger kept: on a shared machine a neighbour's burst
        // can only lower a measurement, and a fraction of peak must not be inflated by an unlucky one.
        var before = threads.ToDictionary(t => t.ToString(), t => FmaPeak.GigaflopsPerSecond(t));
        var shapes = Option("--shapes", "") is { Length: > 0 } list ? GemmShape.Parse(list) : GemmShape.Audit;
        var timings = GemmBench.Run(shapes, threads, double.Parse(Option("--seconds", "1.0")), minReps: 3, maxReps: 15);
        var peak = threads.ToDictionary(t => t.ToString(), t => Math.Max(before[t.ToString()], FmaPeak.GigaflopsPerSecond(t)));
        foreach (var (t, gflops) in peak) Console.Error.WriteLine($"fma peak {t} thread(s): {gflops:F1} GFLOP/s");
        var result = new { kernel = new CpuBackend(1).MatMulKernel, fma_peak_gflops = peak, gemm = timings };
        File.WriteAllText(Option("--out", "gemm_ours.json"), JsonSerializer.Serialize(result, json));
        return 0;
    }
    case "rows" when args.Length == 3:
        RowExport.Write(args[1], args[2]);
        return 0;
    case "profile" when args.Length >= 2:
    {
        var profile = AuditProfile.Run(args[1], int.Parse(Option("--threads", "2")));
        File.WriteAllText(Option("--out", "profile.json"), JsonSerializer.Serialize(profile, json));
        return 0;
    }
    default:
        Console.Error.WriteLine("""
            usage: saeaudit-bench gemm [--threads 1,2] [--seconds S] [--shapes MxKxN[T],...] [--out gemm_ours.json]
                   saeaudit-bench rows <manifest.json> <rows.npy>
                   saeaudit-bench profile <manifest.json> [--threads N] [--out profile.json]
            """);
        return 2;
}
