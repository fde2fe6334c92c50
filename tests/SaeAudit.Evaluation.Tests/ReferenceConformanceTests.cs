using System.Text.Json.Nodes;
using SaeAudit.Evaluation.Manifests;
using SaeAudit.Evaluation.Results;
using SaeAudit.Evaluation.Tests.Manifests;
using SaeAudit.Tensors;
using SaeAudit.Testing;
using Xunit.Abstractions;

namespace SaeAudit.Evaluation.Tests;

/// <summary>The whole audit against the independent PyTorch reference (shared/fixtures/gpt2-tiny/reference): every
/// numeric leaf under the reference's pairs[0] within SPEC §10 (1e-3 relative or 1e-5 absolute), per-position curves
/// elementwise, histogram counts within one count of float32 rounding at a bin edge, integer counts exactly.</summary>
public sealed class ReferenceConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases => new(ReferencePairs.ByName.Keys.Order());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Audit_matches_the_pytorch_reference(string name)
    {
        var ours = RunCase(name, threads: 2);
        var reference = JsonNode.Parse(File.ReadAllText(Fixtures.Path("gpt2-tiny", "reference", $"metrics-{name}.json")))!["pairs"]![0]!;
        var mismatches = new List<string>();
        var compared = Compare(reference, ResultsJson.ToNode(ours), "", mismatches);
        output.WriteLine($"{name}: compared {compared} numbers, {mismatches.Count} mismatches");
        mismatches.Should().BeEmpty();
        compared.Should().BeGreaterThan(500);
    }

    internal static PairResult RunCase(string name, int threads)
    {
        var json = ReferencePairs.ByName[name].Replace(ReferencePairs.FixturesPrefix, Fixtures.Path("") + "/");
        var manifest = ManifestLoader.Parse($$"""{ "schema_version": 1, "pairs": [ {{json}} ] }""",
            Path.Combine(Fixtures.RepoRoot, "reference-case.json"));
        return new AuditRunner(new CpuBackend(threads)).RunPair(manifest.Pairs[0]).Result;
    }

    /// <summary>Edges as numbers; counts as a distribution: cumulative counts (underflow, bins, overflow) within a few
    /// values everywhere. A value within float32 rounding of an edge may fall on either side (the reference's BLAS sums
    /// in another order), an activation within rounding of 0 may or may not fire, and a Pearson of exactly 1 may come
    /// out as 1 + 1e-16 (overflow).</summary>
    private static int CompareHistogram(JsonObject expected, JsonObject? actual, string path, List<string> mismatches)
    {
        if (actual is null)
        {
            mismatches.Add($"{path}: missing histogram");
            return 0;
        }
        var compared = Compare(expected["edges"], actual["edges"], $"{path}.edges", mismatches);
        static long[] Cells(JsonObject h) =>
            [h["underflow"]!.GetValue<long>(), .. h["counts"]!.AsArray().Select(c => c!.GetValue<long>()), h["overflow"]!.GetValue<long>()];
        long[] want = Cells(expected), got = Cells(actual);
        if (want.Length != got.Length)
        {
            mismatches.Add($"{path}: {got.Length - 2} bins, expected {want.Length - 2}");
            return compared;
        }
        var slack = Math.Max(3, (long)(1e-4 * want.Sum()));
        long cumulativeWant = 0, cumulativeGot = 0, worst = 0;
        for (var i = 0; i < want.Length; i++)
        {
            cumulativeWant += want[i];
            cumulativeGot += got[i];
            worst = Math.Max(worst, Math.Abs(cumulativeWant - cumulativeGot));
        }
        if (worst > slack) mismatches.Add($"{path}: cumulative counts differ by up to {worst} (slack {slack})");
        return compared + want.Length;
    }

    private static int Compare(JsonNode? expected, JsonNode? actual, string path, List<string> mismatches)
    {
        switch (expected)
        {
            case JsonObject obj when obj.ContainsKey("counts"):
                return CompareHistogram(obj, actual as JsonObject, path, mismatches);
            case JsonObject obj:
                var count = 0;
                foreach (var (key, value) in obj)
                {
                    if (path == "" && key == "gates") continue;
                    var child = actual is JsonObject a && a.TryGetPropertyValue(key, out var v) ? v : null;
                    if (child is null && value is not null) { mismatches.Add($"{path}.{key}: missing"); continue; }
                    count += Compare(value, child, $"{path}.{key}", mismatches);
                }
                return count;
            case JsonArray array:
                if (actual is not JsonArray other || other.Count != array.Count)
                {
                    mismatches.Add($"{path}: expected {array.Count} values");
                    return 0;
                }
                var total = 0;
                for (var i = 0; i < array.Count; i++) total += Compare(array[i], other[i], $"{path}[{i}]", mismatches);
                return total;
            case null:
                if (actual is not null) mismatches.Add($"{path}: expected null, got {actual.ToJsonString()}");
                return 1;
            case JsonValue text when text.TryGetValue<string>(out var s):
                if (actual?.ToString() != s) mismatches.Add($"{path}: expected \"{s}\", got {actual?.ToJsonString()}");
                return 0;
            default:
                var e = expected.GetValue<double>();
                if (actual is not JsonValue actualValue || !actualValue.TryGetValue<double>(out var got))
                {
                    mismatches.Add($"{path}: expected {e}, got {actual?.ToJsonString() ?? "nothing"}");
                    return 1;
                }
                var tolerance = Math.Max(1e-5, 1e-3 * Math.Abs(e));
                if (!(Math.Abs(got - e) <= tolerance)) mismatches.Add($"{path}: expected {e}, got {got}");
                return 1;
        }
    }
}
