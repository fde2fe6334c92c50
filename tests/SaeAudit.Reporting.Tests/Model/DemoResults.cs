using SaeAudit.Evaluation.Results;
using SaeAudit.Testing;

namespace SaeAudit.Reporting.Tests.Model;

/// <summary>The bundled demo's real results file: pair <c>light</c> passes its gates, <c>code</c> fails two.</summary>
internal static class DemoResults
{
    public static string FilePath { get; } =
        Path.Combine(Fixtures.RepoRoot, "tests", "SaeAudit.Reporting.Tests", "Data", "demo-results.json");

    public static AuditResults Load() => ResultsJson.Read(FilePath);

    /// <summary>The demo with one pair changed, e.g. to move a number and see every report follow.</summary>
    public static AuditResults WithPair(string name, Func<PairResult, PairResult> change)
    {
        var results = Load();
        var pairs = results.Pairs.Select(p => p.Name == name ? change(p) : p).ToList();
        return results with { Pairs = pairs, Passed = pairs.All(p => p.Passed) };
    }

    /// <summary>The demo with light's finetune CE loss recovered changed (not its gate's recorded value).</summary>
    public static AuditResults WithLightCeScore(double score) => WithPair("light", p =>
        p with { Finetune = p.Finetune with { Ce = p.Finetune.Ce with { Score = score } } });
}
