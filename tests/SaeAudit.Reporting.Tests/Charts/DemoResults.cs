using SaeAudit.Evaluation.Results;
using SaeAudit.Testing;

namespace SaeAudit.Reporting.Tests.Charts;

/// <summary>The results of the bundled demo (tests/SaeAudit.Reporting.Tests/Data): pair "light" transfers, "code"
/// does not.</summary>
internal static class DemoResults
{
    private static readonly Lazy<AuditResults> Results = new(() =>
        ResultsJson.Read(Path.Combine(Fixtures.RepoRoot, "tests", "SaeAudit.Reporting.Tests", "Data", "demo-results.json")));

    public static AuditResults All => Results.Value;

    public static PairResult Pair(string name) => All.Pairs.Single(p => p.Name == name);
}
