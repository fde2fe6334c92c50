using SaeAudit.Evaluation.Manifests;
using SaeAudit.Evaluation.Metrics;
using SaeAudit.Evaluation.Results;
using Spectre.Console;
using Spectre.Console.Rendering;
using static SaeAudit.Reporting.NumberFormat;

namespace SaeAudit.Cli.Reporting;

/// <summary>The summary <c>saeaudit run</c> prints to stdout, in the spirit of BenchmarkDotNet's: per pair the
/// headline metrics of base and finetune side by side (the reference study's table), how far the finetune moved,
/// and the gates; then a verdict line per pair and overall, the results path and the environment. Renders from the
/// results alone, so it shows exactly what the results file holds, and formats numbers as the reports do
/// (<see cref="SaeAudit.Reporting.NumberFormat"/>). Tables get borders and colour on a terminal
/// and become Markdown tables without ANSI codes when the console has no ANSI support (redirected output, CI).</summary>
internal static class ConsoleSummary
{
    /// <summary>The tables, the verdicts, the results path, the reports rendered from it (if any) and the
    /// environment.</summary>
    public static void Write(IAnsiConsole console, AuditResults results, string resultsPath, IReadOnlyList<string> reportPaths)
    {
        var border = console.Profile.Capabilities.Ansi ? TableBorder.Rounded : TableBorder.Markdown;
        foreach (var pair in results.Pairs)
        {
            WriteHeading(console, pair, results.Provenance.Pairs.FirstOrDefault(p => p.Name == pair.Name)?.Parameters);
            console.Write(HeadlineTable(pair, border));
            console.WriteLine();
            console.Write(ShiftTable(pair, border));
            console.WriteLine();
            if (pair.Gates.Count > 0)
            {
                console.Write(GateTable(pair, border));
                console.WriteLine();
            }
        }
        WriteVerdicts(console, results);
        console.WriteLine($"results: {resultsPath}");
        if (reportPaths.Count > 0)
            console.WriteLine($"reports: {string.Join(", ", reportPaths)}");
        console.WriteLine(EnvironmentLine(results));
    }

    /// <summary>One verdict line per pair, then the overall one.</summary>
    public static void WriteVerdicts(IAnsiConsole console, AuditResults results)
    {
        foreach (var pair in results.Pairs)
            console.MarkupLine(Verdict(pair));
        console.MarkupLine(OverallVerdict(results));
    }

    private static void WriteHeading(IAnsiConsole console, PairResult pair, PairParameters? parameters)
    {
        console.MarkupLine($"[bold]{Markup.Escape(pair.Name)}[/]" + (parameters is null ? "" : Markup.Escape(
            $": {ShortName(parameters.Base)} -> {ShortName(parameters.Finetune)}, SAE {ShortName(parameters.Sae)} " +
            $"at {parameters.Hook}, dataset {ShortName(parameters.Dataset)}")));
        var rows = parameters is null ? $"{pair.Tokens.Rows} rows" : $"{pair.Tokens.Rows} rows x {parameters.Context} tokens";
        console.WriteLine($"{rows}: {pair.Tokens.Kept} kept, {pair.Tokens.Outliers} outliers");
        console.WriteLine();
    }

    /// <summary>SPEC §4-§5 for each model: the reference study's headline columns.</summary>
    private static Table HeadlineTable(PairResult pair, TableBorder border)
    {
        var table = NewTable(border, "metric", "base", "finetune");
        void Row(string metric, Func<ModelResult, double> value) =>
            table.AddRow(Cell(metric), Cell(Format(value(pair.Base))), Cell(Format(value(pair.Finetune))));
        void PercentRow(string metric, Func<ModelResult, double> fraction) =>
            table.AddRow(Cell(metric), Cell(Percent(fraction(pair.Base))), Cell(Percent(fraction(pair.Finetune))));

        Row("L0", m => m.Sae.L0);
        Row("L1", m => m.Sae.L1);
        Row("MSE", m => m.Sae.Mse);
        Row("explained variance", m => m.Sae.ExplainedVariance);
        Row("explained variance (legacy)", m => m.Sae.ExplainedVarianceLegacy);
        Row("r2_flat", m => m.Sae.R2Flat);
        Row("cos_rec", m => m.Sae.CosRec);
        Row("CE clean", m => m.Ce.Clean);
        Row("CE with SAE", m => m.Ce.Sae);
        Row("CE zero-ablated", m => m.Ce.Zero);
        Row("CE delta", m => m.Ce.Delta);
        Row("CE score", m => m.Ce.Score);
        Row("KL with SAE", m => m.Kl.Sae);
        Row("KL score", m => m.Kl.Score);
        PercentRow("dead features", m => m.Sae.DeadFraction);
        PercentRow("dense features", m => m.Sae.DenseFraction);
        return table;
    }

    /// <summary>SPEC §3, §4 (densities), §6, §7: what changed from base to finetune.</summary>
    private static Table ShiftTable(PairResult pair, TableBorder border)
    {
        // Values are phrases here, not single numbers, so they read better left-aligned.
        var table = new Table().Border(border).AddColumn("finetune vs base").AddColumn("value");
        void Row(string measure, string value) => table.AddRow(Cell(measure), Cell(value));

        var activations = pair.Activations;
        Row("activation cos (mean ± std)", MeanStd(activations.CosMean, activations.CosStd));
        Row("activation distance (mean)", Format(activations.DistMean));
        Row("outliers", $"{Format(pair.Tokens.Outliers)} ({Percent(activations.OutlierFraction)})");
        Row("τ base / finetune", activations.TauBase is null && activations.TauFinetune is null
            ? "no outlier filter"
            : $"{Format(activations.TauBase)} / {Format(activations.TauFinetune)}");
        Row("features born / died / dead in both", $"{Format(pair.Densities.Born)} / {Format(pair.Densities.Died)} / {Format(pair.Densities.DeadBoth)}");
        Row("log-density correlation r", Format(pair.Densities.LogDensityPearson));
        var similarity = pair.Transfer.ActivationSimilarity;
        Row("feature activation similarity",
            $"mean {Format(similarity.Mean)}, median {Format(similarity.Median)}, {Percent(similarity.FracGe08)} ≥ 0.8 " +
            $"(n {similarity.N}, {similarity.Undefined} undefined)");
        Row("feature logit similarity (mean)", Format(pair.Transfer.LogitSimilarity.Mean));
        var dead = pair.Transfer.DeadActivationError;
        Row("dead-feature activation error (mean)", $"{Format(dead.Mean)} (n {dead.N})");
        Row("unembedding norm ratio", Format(pair.Weights.UnembedNormRatio));
        Row("largest weight change (layer)", LargestLayerChange(pair.Weights));
        return table;
    }

    private static Table GateTable(PairResult pair, TableBorder border)
    {
        var table = NewTable(border, "gate", "bound", "value", "result");
        foreach (var gate in pair.Gates)
            table.AddRow(Cell(gate.Metric), Cell(Bound(gate.Min, gate.Max)), Cell(Format(gate.Value)), OutcomeCell(gate.Passed));
        return table;
    }

    /// <summary><c>light: PASS (2/2 gates)</c>, or the failed gates with value and bound.</summary>
    private static string Verdict(PairResult pair)
    {
        var name = Markup.Escape(pair.Name);
        var total = pair.Gates.Count;
        if (total == 0) return $"{name}: {Outcome(true)} (no gates)";
        var failed = pair.Gates.Where(g => !g.Passed).ToList();
        if (failed.Count == 0) return $"{name}: {Outcome(true)} ({total}/{total} gates)";
        return $"{name}: {Outcome(false)} ({failed.Count} of {total} gates failed: " +
            Markup.Escape(string.Join("; ", failed.Select(Violation))) + ")";
    }

    private static string OverallVerdict(AuditResults results)
    {
        var total = results.Pairs.Count;
        var failed = results.Pairs.Count(p => !p.Passed);
        return failed == 0
            ? $"overall: {Outcome(true)} ({total}/{total} pairs)"
            : $"overall: {Outcome(false)} ({failed} of {total} pairs failed)";
    }

    /// <summary><c>metric = value &lt; min</c> or <c>&gt; max</c>; a NaN value fails whatever the bounds.</summary>
    private static string Violation(GateResult gate)
    {
        if (gate.Value is not { } value || double.IsNaN(value)) return $"{gate.Metric} = {NotAvailable} (NaN)";
        var shown = $"{gate.Metric} = {Format(value)}";
        if (gate.Min is { } min && value < min) return $"{shown} < {Exact(min)}";
        if (gate.Max is { } max && value > max) return $"{shown} > {Exact(max)}";
        return shown;
    }

    private static string LargestLayerChange(WeightsResult weights)
    {
        var largest = weights.Layers.Where(l => !double.IsNaN(l.Value)).OrderByDescending(l => l.Value).FirstOrDefault();
        return largest.Key is null ? NotAvailable : $"{largest.Key}: {Format(largest.Value)}";
    }

    private static string EnvironmentLine(AuditResults results)
    {
        var environment = results.Provenance.Environment;
        var run = results.Provenance.Run;
        return $"environment: {results.Tool.Name} {results.Tool.Version}, {environment.Runtime}, {environment.Cpu}, " +
            $"{run.Threads} threads, wall {Seconds(run.WallSeconds)}, {Format(run.TokensPerSecond)} tokens/s";
    }

    /// <summary>A model, SAE or dataset by its folder or file name (hub references as written).</summary>
    private static string ShortName(string path) =>
        ManifestLoader.IsHubReference(path) ? path : Path.GetFileName(Path.TrimEndingDirectorySeparator(path));

    private static string Outcome(bool passed) => passed ? "[green]PASS[/]" : "[red]FAIL[/]";

    private static Markup OutcomeCell(bool passed) => new(Outcome(passed));

    private static Text Cell(string text) => new(text);

    private static Table NewTable(TableBorder border, string first, params string[] valueColumns)
    {
        var table = new Table().Border(border).AddColumn(new TableColumn(first));
        foreach (var column in valueColumns) table.AddColumn(new TableColumn(column).RightAligned());
        return table;
    }
}
