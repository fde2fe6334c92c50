using System.Diagnostics;
using SaeAudit.Evaluation;
using SaeAudit.Evaluation.Manifests;
using SaeAudit.Evaluation.Results;
using SaeAudit.Tensors;

namespace SaeAudit.Bench;

/// <summary>Stopwatch profile of one audit pair: the real <see cref="AuditRunner.RunPair"/>, split into phases at its
/// progress callbacks, with the engine's time per operation from <see cref="TimingBackend"/> (per phase too) and the
/// managed allocations. Time in a phase that is not engine time is the runner's own work: metrics, CE/KL, copies,
/// logit similarity, hashing. The SHA-256 of the inputs is re-measured separately to split it out.</summary>
internal static class AuditProfile
{
    /// <param name="EngineSeconds">Of <paramref name="Seconds"/>, time inside <see cref="IComputeBackend"/> calls.</param>
    /// <param name="AllocatedBytes">Managed bytes allocated during the phase (all threads).</param>
    public sealed record Phase(string Name, double Seconds, double EngineSeconds, long AllocatedBytes);

    public sealed record Op(string Name, long Calls, double Seconds, double Gflops);

    public sealed record Profile(string Pair, int Threads, int Batches, long Tokens, double WallSeconds,
        double InputHashSeconds, long PeakWorkingSetBytes, long AllocatedBytes, int Gen2Collections,
        List<Phase> Phases, List<Op> Ops);

    public static Profile Run(string manifestPath, int threads)
    {
        var pair = ManifestLoader.Load(manifestPath).Pairs[0];
        var backend = new TimingBackend(new CpuBackend(threads));
        var phases = new PhaseRecorder(backend);
        var wall = Stopwatch.StartNew();
        phases.Begin("load, sample rows, calibration prefixes");
        new AuditRunner(backend, phases).RunPair(pair);
        phases.End();
        var seconds = wall.Elapsed.TotalSeconds;

        // The same files the runner hashes for provenance (it hashes them once, at the end).
        var hashClock = Stopwatch.StartNew();
        foreach (var file in InputFiles(pair)) EnvironmentProbe.Sha256(file);
        var hashSeconds = hashClock.Elapsed.TotalSeconds;

        var ops = backend.Entries
            .Select(e => new Op(e.Key, e.Value.Calls, e.Value.Seconds, e.Value.Flops > 0 ? e.Value.Flops / e.Value.Seconds / 1e9 : 0))
            .OrderByDescending(o => o.Seconds).ToList();
        return new Profile(pair.Name, threads, phases.Batches, phases.Tokens, seconds, hashSeconds,
            Process.GetCurrentProcess().PeakWorkingSet64, GC.GetTotalAllocatedBytes(), GC.CollectionCount(2), phases.Phases, ops);
    }

    private static IEnumerable<string> InputFiles(PairSpec pair) =>
        new[] { pair.Base, pair.Finetune, pair.Sae }.SelectMany(Directory.EnumerateFiles).Append(pair.Dataset.Path);

    /// <summary>Closes a phase at each progress callback: before the first batch, the batches, after the last one.</summary>
    private sealed class PhaseRecorder(TimingBackend backend) : IAuditProgress
    {
        private readonly Stopwatch _clock = new();
        private string _name = "";
        private double _engineAtStart;
        private long _allocatedAtStart;

        public List<Phase> Phases { get; } = [];

        public int Batches { get; private set; }

        public long Tokens { get; private set; }

        public void Begin(string name)
        {
            _name = name;
            _engineAtStart = backend.TotalSeconds;
            _allocatedAtStart = GC.GetTotalAllocatedBytes();
            _clock.Restart();
        }

        public void End() => Phases.Add(new Phase(_name, _clock.Elapsed.TotalSeconds, backend.TotalSeconds - _engineAtStart,
            GC.GetTotalAllocatedBytes() - _allocatedAtStart));

        public void PairStarted(string pair, long totalTokens)
        {
            End();
            Begin("batches: prefixes, SAE, metrics, 3 continuations, CE/KL (both models)");
        }

        public void Advanced(string pair, long tokens)
        {
            Batches++;
            Tokens += tokens;
        }

        public void PairFinished(string pair)
        {
            End();
            Begin("after the batches: weight differences, transfer result (logit similarity), input hashes");
        }
    }
}
