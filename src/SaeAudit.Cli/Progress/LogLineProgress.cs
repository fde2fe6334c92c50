using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SaeAudit.Evaluation;
using SaeAudit.Reporting;

namespace SaeAudit.Cli.Progress;

/// <summary>Progress as plain log lines (stderr redirected, or CI): when a pair starts, about every 10 % or every
/// 10 s with tokens/s and the time left, and when it finishes.</summary>
internal sealed class LogLineProgress(ILogger log) : IAuditProgress
{
    private const int Steps = 10;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, PairState> _pairs = [];

    public void PairStarted(string pair, long totalTokens)
    {
        _pairs[pair] = new PairState(totalTokens);
        log.LogInformation("{Pair}: started, {Tokens} tokens through base and finetune", pair, totalTokens);
    }

    public void Advanced(string pair, long tokens)
    {
        var state = _pairs[pair];
        state.Done += tokens;
        if (state.Done >= state.Total) return; // the finished line follows
        var step = (int)(state.Done * Steps / state.Total);
        if (step <= state.LastStep && Stopwatch.GetElapsedTime(state.LastLine) < Interval) return;
        state.LastStep = step;
        state.LastLine = Stopwatch.GetTimestamp();
        var rate = state.Done / Stopwatch.GetElapsedTime(state.Started).TotalSeconds;
        log.LogInformation("{Pair}: {Done}/{Total} tokens ({Percent} %), {Rate} tokens/s, ETA {Eta}", pair, state.Done,
            state.Total, 100 * state.Done / state.Total, NumberFormat.Format(rate), Eta((state.Total - state.Done) / rate));
    }

    public void PairFinished(string pair)
    {
        var state = _pairs[pair];
        var seconds = Stopwatch.GetElapsedTime(state.Started).TotalSeconds;
        log.LogInformation("{Pair}: finished in {Seconds} s ({Rate} tokens/s)", pair, NumberFormat.Format(seconds),
            NumberFormat.Format(state.Total / seconds));
    }

    private static string Eta(double seconds)
    {
        var whole = (long)Math.Ceiling(seconds);
        return whole < 60 ? $"{whole} s" : $"{whole / 60} min {whole % 60:00} s";
    }

    private sealed class PairState(long total)
    {
        public long Total { get; } = total;
        public long Started { get; } = Stopwatch.GetTimestamp();
        public long Done { get; set; }
        public int LastStep { get; set; }
        public long LastLine { get; set; } = Stopwatch.GetTimestamp();
    }
}
