using SaeAudit.Evaluation.Results;
using static SaeAudit.Reporting.NumberFormat;

namespace SaeAudit.Reporting.Model;

/// <summary>Writes a pair's verdict as a short paragraph a reviewer can read without the tables: the gates' outcome
/// first, then what the key numbers say (reconstruction, loss, feature transfer, dead features), with the caveats
/// the numbers themselves raise. Every clause comes from the results; nothing is hard-coded per pair.</summary>
internal static class PairVerdictWriter
{
    public static string Write(PairResult pair, IReadOnlyList<GateRow> gates, string finetune)
    {
        string?[] sentences =
        [
            Judgement(pair.Name, gates, finetune),
            ExplainedVariance(pair),
            LossRecovered(pair),
            Transfer(pair),
            DeadFeatures(pair),
        ];
        return string.Join(" ", sentences.Where(s => s is not null));
    }

    private static string Judgement(string pairName, IReadOnlyList<GateRow> gates, string finetune)
    {
        if (gates.Count == 0)
            return $"No gates are set for pair {pairName} ({finetune}), so it passes without a check.";
        var failed = gates.Where(g => !g.Passed).ToList();
        if (failed.Count == 0)
            return gates.Count == 1
                ? $"The SAE transfers to {finetune}: its gate passes."
                : $"The SAE transfers to {finetune}: all {gates.Count} gates pass.";
        var reasons = failed.Select(g => $"{g.Label} {(g.RawValue is null ? "undefined" : g.Value)} (needs {g.Bound})").ToList();
        return $"The SAE does not transfer to {finetune}: {failed.Count} of {ReportModelBuilder.Plural(gates.Count, "gate")} "
            + $"{(failed.Count == 1 ? "fails" : "fail")} — {JoinAnd(reasons)}.";
    }

    private static string? ExplainedVariance(PairResult pair)
    {
        var (b, f) = (pair.Base.Sae.ExplainedVariance, pair.Finetune.Sae.ExplainedVariance);
        if (double.IsNaN(b) || double.IsNaN(f)) return null;
        var sentence = $"Explained variance {Movement(b, f)} {Format(b)} on the base {(Format(b) == Format(f) ? "and" : "to")} {Format(f)} on the finetune";
        return sentence + (f < 0
            ? ": the SAE reconstructs the finetune's activations worse than their mean would."
            : ".");
    }

    private static string? LossRecovered(PairResult pair)
    {
        var (b, f) = (pair.Base.Ce, pair.Finetune.Ce);
        if (double.IsNaN(f.Score)) return null;
        var sentence = $"Spliced into the finetune, the SAE's CE loss recovered is {Format(f.Score)} (base {Format(b.Score)})";
        // A score above 1 means the SAE lowered the loss below clean: the formula's assumption fails, so say so.
        return sentence + (f.Score > 1
            ? $", above 1 because the loss with the SAE ({Format(f.Sae)}) is below the clean loss ({Format(f.Clean)}), "
                + "so it does not vouch for the reconstruction."
            : ".");
    }

    private static string? Transfer(PairResult pair)
    {
        var similarity = pair.Transfer.ActivationSimilarity;
        var defined = similarity.N - similarity.Undefined;
        if (defined <= 0 || double.IsNaN(similarity.Mean))
            return "No regular features could be compared, so the feature transfer test says nothing.";
        var logit = pair.Transfer.LogitSimilarity;
        var logitClause = double.IsNaN(logit.Mean) ? "" : $"; their logit-weight similarity averages {Format(logit.Mean)}";
        return $"{Percent(similarity.FracGe08)} of {ReportModelBuilder.Plural(defined, "regular feature")} keep an activation "
            + $"similarity of at least 0.8 (mean {Format(similarity.Mean)}){logitClause}.";
    }

    private static string DeadFeatures(PairResult pair)
    {
        var d = pair.Densities;
        return $"{ReportModelBuilder.Plural(d.Born, "feature")} {(d.Born == 1 ? "is" : "are")} born and {Format(d.Died)} "
            + $"{(d.Died == 1 ? "dies" : "die")} in the finetune ({Format(d.DeadBoth)} dead in both).";
    }

    /// <summary>"falls from", "rises from", or "is" when the two agree to the digits shown.</summary>
    private static string Movement(double from, double to) =>
        Format(from) == Format(to) ? "is" : to < from ? "falls from" : "rises from";

    private static string JoinAnd(IReadOnlyList<string> items) => items.Count switch
    {
        1 => items[0],
        2 => $"{items[0]} and {items[1]}",
        _ => string.Join(", ", items.Take(items.Count - 1)) + ", and " + items[^1],
    };
}
