using System.Text.Json.Nodes;
using SaeAudit.Evaluation.Manifests;

namespace SaeAudit.Evaluation.Results;

/// <summary>Evaluates gates (SPEC §9) on a pair's results by metric path, e.g. <c>finetune.ce.score</c>, looked up in
/// the same JSON the results file holds, so a path means exactly what the file shows. A NaN (null) value fails.</summary>
public static class Gates
{
    public static IReadOnlyList<GateResult> Evaluate(PairResult pair, IEnumerable<GateSpec> gates)
    {
        var node = ResultsJson.ToNode(pair with { Gates = [] });
        return gates.Select(gate =>
        {
            var value = Lookup(node, gate.Metric);
            var passed = value is { } v && !double.IsNaN(v) && gate.Passes(v);
            return new GateResult(gate.Metric, gate.Min, gate.Max, value, passed);
        }).ToList();
    }

    private static double? Lookup(JsonNode root, string path)
    {
        JsonNode? node = root;
        foreach (var part in path.Split('.'))
            node = node is JsonObject obj && obj.TryGetPropertyValue(part, out var child) ? child : null;
        return node is JsonValue value && value.TryGetValue<double>(out var number) ? number : null;
    }
}
