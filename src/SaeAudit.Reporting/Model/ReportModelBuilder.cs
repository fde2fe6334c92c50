using SaeAudit.Evaluation.Metrics;
using SaeAudit.Evaluation.Results;
using SaeAudit.Reporting.Charts;
using static SaeAudit.Reporting.NumberFormat;

namespace SaeAudit.Reporting.Model;

/// <summary>Builds <see cref="ReportModel"/> from a results file: every number is formatted here, once.</summary>
internal static class ReportModelBuilder
{
    public const string PassText = "PASS";
    public const string FailText = "FAIL";

    public static ReportModel Build(AuditResults results)
    {
        // First entry per name: a hand-edited file with a repeated name still renders.
        var provenanceByPair = results.Provenance.Pairs.GroupBy(p => p.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var pairs = results.Pairs
            .Select(pair => BuildPair(pair, provenanceByPair.GetValueOrDefault(pair.Name)))
            .ToList();
        var gates = pairs.SelectMany(p => p.Gates).ToList();
        var run = results.Provenance.Run;
        return new ReportModel(
            "SAE transfer audit",
            $"{results.Tool.Name} {results.Tool.Version} · {Plural(pairs.Count, "pair")} · run started {run.StartedUtc}",
            BuildVerdict(results, pairs),
            gates,
            GateTable(gates),
            pairs,
            ProvenanceSectionBuilder.Build(results.Provenance, results.Tool),
            results);
    }

    public static string Status(bool passed) => passed ? PassText : FailText;

    /// <summary>"1 pair", "3 gates".</summary>
    public static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";

    private static ReportVerdict BuildVerdict(AuditResults results, IReadOnlyList<PairReport> pairs)
    {
        var gates = pairs.SelectMany(p => p.Gates).ToList();
        var gatesFailed = gates.Count(g => !g.Passed);
        var failedPairs = pairs.Where(p => !p.Passed).ToList();
        string summary;
        if (gates.Count == 0)
            summary = $"No gates are set for the {Plural(pairs.Count, "pair")}, so nothing was checked.";
        else if (failedPairs.Count == 0)
            summary = $"All {Plural(gates.Count, "gate")} of the {Plural(pairs.Count, "pair")} pass.";
        else
            summary = $"{failedPairs.Count} of {Plural(pairs.Count, "pair")} {(failedPairs.Count == 1 ? "fails its" : "fail their")} gates: "
                + string.Join(", ", failedPairs.Select(p =>
                    $"{p.Name} ({p.Gates.Count(g => !g.Passed)} of {Plural(p.Gates.Count, "gate")} failed)"))
                + ".";
        return new ReportVerdict(
            results.Passed,
            Status(results.Passed),
            pairs.Count,
            pairs.Count - failedPairs.Count,
            failedPairs.Count,
            gates.Count,
            gates.Count - gatesFailed,
            gatesFailed,
            summary);
    }

    private static ReportTable GateTable(IReadOnlyList<GateRow> gates) => new(
        [ReportColumn.Text("pair"), ReportColumn.Code("metric"), ReportColumn.Text("bound"), ReportColumn.Number("value"),
            ReportColumn.Text("result")],
        gates.Select(g => (IReadOnlyList<string>)[g.Pair, g.Metric, g.Bound, g.Value, g.Status]).ToList());

    private static GateRow BuildGate(string pair, GateResult gate)
    {
        var bound = Bound(gate.Min, gate.Max);
        var raw = gate.Value is { } v && !double.IsNaN(v) ? v : (double?)null;
        var value = Format(raw);
        var detail = raw is null
            ? $"{gate.Metric} is undefined (NaN), expected {bound}; an undefined metric fails its gate"
            : $"{gate.Metric} = {value}, expected {bound}";
        return new GateRow(pair, gate.Metric, MetricLabels.For(gate.Metric), bound, value, raw, gate.Passed,
            Status(gate.Passed), detail);
    }

    /// <summary>Which section shows each of <see cref="ReportCharts"/>' charts, by id suffix.</summary>
    private static readonly (string Suffix, string Section)[] ChartSections =
    [
        (ReportCharts.Ids.CosHistogram, "activations"),
        (ReportCharts.Ids.DistHistogram, "activations"),
        (ReportCharts.Ids.CosByPosition, "activations"),
        (ReportCharts.Ids.DistByPosition, "activations"),
        (ReportCharts.Ids.LogDensityHistogram, "features"),
        (ReportCharts.Ids.DensityParallel, "features"),
        (ReportCharts.Ids.LogActivationHistogram, "features"),
        (ReportCharts.Ids.ActivationSimilarityHistogram, "transfer"),
        (ReportCharts.Ids.LogitSimilarityHistogram, "transfer"),
        (ReportCharts.Ids.DeadActivationErrorHistogram, "transfer"),
        (ReportCharts.Ids.WeightChange, "weights"),
    ];

    /// <summary>The section a chart belongs to; one this table does not know yet is shown with the headline rather
    /// than dropped.</summary>
    private static string SectionOf(Chart chart) =>
        ChartSections.FirstOrDefault(c => chart.Id.EndsWith("-" + c.Suffix, StringComparison.Ordinal)).Section ?? "headline";

    private static PairReport BuildPair(PairResult pair, PairProvenance? provenance)
    {
        var charts = ReportCharts.For(pair).ToLookup(SectionOf);
        var gates = pair.Gates.Select(g => BuildGate(pair.Name, g)).ToList();
        var baseLabel = FolderName(provenance?.Parameters.Base) ?? "base";
        var finetuneLabel = FolderName(provenance?.Parameters.Finetune) ?? pair.Name;
        var hook = provenance?.Parameters.Hook ?? NotAvailable;
        return new PairReport(
            pair.Name,
            baseLabel,
            finetuneLabel,
            hook,
            pair.Passed,
            Status(pair.Passed),
            PairVerdictWriter.Write(pair, gates, finetuneLabel),
            gates,
            HeadlineSection(pair, hook, baseLabel, finetuneLabel, [.. charts["headline"]]),
            ActivationsSection(pair, [.. charts["activations"]]),
            FeaturesSection(pair, provenance?.Parameters.DSae, [.. charts["features"]]),
            TransferSection(pair, provenance?.Parameters, [.. charts["transfer"]]),
            WeightsSection(pair.Weights, [.. charts["weights"]]));
    }

    /// <summary>The reference study's table: SAE metrics (§4) and spliced losses (§5), base next to finetune.</summary>
    private static ReportSection HeadlineSection(PairResult pair, string hook, string baseLabel, string finetuneLabel,
        IReadOnlyList<Chart> charts)
    {
        var (b, f) = (pair.Base, pair.Finetune);
        (string Metric, string Base, string Finetune)[] rows =
        [
            ("L0", Format(b.Sae.L0), Format(f.Sae.L0)),
            ("L1", Format(b.Sae.L1), Format(f.Sae.L1)),
            ("MSE", Format(b.Sae.Mse), Format(f.Sae.Mse)),
            ("explained variance (pooled)", Format(b.Sae.ExplainedVariance), Format(f.Sae.ExplainedVariance)),
            ("explained variance (legacy)", Format(b.Sae.ExplainedVarianceLegacy), Format(f.Sae.ExplainedVarianceLegacy)),
            ("R² (flat)", Format(b.Sae.R2Flat), Format(f.Sae.R2Flat)),
            ("reconstruction cosine", Format(b.Sae.CosRec), Format(f.Sae.CosRec)),
            ("L2 ratio ‖x̂‖/‖x‖", Format(b.Sae.L2Ratio), Format(f.Sae.L2Ratio)),
            ("CE clean", Format(b.Ce.Clean), Format(f.Ce.Clean)),
            ("CE with SAE", Format(b.Ce.Sae), Format(f.Ce.Sae)),
            ("CE zero-ablated", Format(b.Ce.Zero), Format(f.Ce.Zero)),
            ("CE delta (SAE - clean)", Format(b.Ce.Delta), Format(f.Ce.Delta)),
            ("CE loss recovered", Format(b.Ce.Score), Format(f.Ce.Score)),
            ("KL with SAE", Format(b.Kl.Sae), Format(f.Kl.Sae)),
            ("KL zero-ablated", Format(b.Kl.Zero), Format(f.Kl.Zero)),
            ("KL score", Format(b.Kl.Score), Format(f.Kl.Score)),
            ("dead features", Percent(b.Sae.DeadFraction), Percent(f.Sae.DeadFraction)),
            ("dense features (density > 0.1)", Percent(b.Sae.DenseFraction), Percent(f.Sae.DenseFraction)),
        ];
        var table = new ReportTable(
            [ReportColumn.Text("metric"), ReportColumn.Number(ModelHeader("base", baseLabel)),
                ReportColumn.Number(ModelHeader("finetune", finetuneLabel))],
            rows.Select(r => (IReadOnlyList<string>)[r.Metric, r.Base, r.Finetune]).ToList());
        return new ReportSection("headline", "Headline metrics",
            $"The SAE applied at {hook} in each model: reconstruction quality, and the next-token loss (nats) when its "
            + "reconstruction replaces the activation. Explained variance is given in three formulas because published "
            + "numbers use all three; CE loss recovered = (CE zero - CE SAE) / (CE zero - CE clean).",
            [table], charts, HeadlineNotes(pair));
    }

    /// <summary>"finetune (ft-heavy)", or just "base" where the model's folder is called that.</summary>
    private static string ModelHeader(string role, string label) => label == role ? role : $"{role} ({label})";

    private static IReadOnlyList<string> HeadlineNotes(PairResult pair)
    {
        var notes = new List<string>();
        foreach (var (model, result) in (ReadOnlySpan<(string, ModelResult)>)[("base", pair.Base), ("finetune", pair.Finetune)])
        {
            if (result.Ce.Score > 1)
                notes.Add($"CE loss recovered exceeds 1 on the {model} ({Format(result.Ce.Score)}): the loss with the SAE "
                    + $"({Format(result.Ce.Sae)}) is below the clean loss ({Format(result.Ce.Clean)}), so the score does not "
                    + "show that the reconstruction is faithful.");
        }
        return notes;
    }

    private static ReportSection ActivationsSection(PairResult pair, IReadOnlyList<Chart> charts)
    {
        var a = pair.Activations;
        var tau = a.TauBase is null && a.TauFinetune is null
            ? "n/a (no outlier filter)"
            : $"{Format(a.TauBase)} / {Format(a.TauFinetune)}";
        var table = KeyValueTable("quantity", "value",
        [
            ("rows evaluated", Format(pair.Tokens.Rows)),
            ("kept tokens", Format(pair.Tokens.Kept)),
            ("outlier tokens", $"{Format(pair.Tokens.Outliers)} ({Percent(a.OutlierFraction)})"),
            ("outlier thresholds τ_B / τ_F", tau),
            ("cosine similarity (mean ± std)", MeanStd(a.CosMean, a.CosStd)),
            ("L2 distance (mean ± std)", MeanStd(a.DistMean, a.DistStd)),
        ]);
        return new ReportSection("activations", "Activation similarity",
            "How far the finetune moved the hook activations: cosine and L2 distance between base and finetune "
            + "activations on the same kept tokens.",
            [table], charts, []);
    }

    private static ReportSection FeaturesSection(PairResult pair, int? dSae, IReadOnlyList<Chart> charts)
    {
        var d = pair.Densities;
        var table = KeyValueTable("quantity", "value",
        [
            ("born in the finetune (dead in base only)", Format(d.Born)),
            ("died in the finetune (dead in finetune only)", Format(d.Died)),
            ("dead in both", Format(d.DeadBoth)),
            ("log-density correlation (Pearson r)", Format(d.LogDensityPearson)),
        ]);
        var width = dSae is { } n ? $" of the SAE's {Format(n)}" : "";
        return new ReportSection("features", "Feature densities",
            $"How often each feature{width} fires on each model. A feature is dead when it never fires on the sample; "
            + "the correlation compares log10 densities of features alive in both.",
            [table], charts, []);
    }

    private static ReportSection TransferSection(PairResult pair, PairParameters? parameters, IReadOnlyList<Chart> charts)
    {
        var t = pair.Transfer;
        var similarity = new ReportTable(
            [ReportColumn.Text("similarity"), ReportColumn.Number("features"), ReportColumn.Number("undefined"),
                ReportColumn.Number("mean"), ReportColumn.Number("median"), ReportColumn.Number("≥ 0.8")],
            [SimilarityRow("activation", t.ActivationSimilarity), SimilarityRow("logit weights", t.LogitSimilarity)])
        {
            Caption = "Regular features",
        };
        var dead = new ReportTable(
            [ReportColumn.Text("quantity"), ReportColumn.Number("features"), ReportColumn.Number("mean")],
            [["activation error (|Δ log10 activation|)", Format(t.DeadActivationError.N), Format(t.DeadActivationError.Mean)]])
        {
            Caption = "Exclusively dead features",
        };
        var range = parameters is { DensityRange: [var lo, var hi] } ? $" (density in [{Exact(lo)}, {Exact(hi)}] on both)" : "";
        return new ReportSection("transfer", "Feature transfer test",
            $"Regular features{range}: do they fire on the same tokens in both models (Pearson correlation of their "
            + "activations) and push the same logits (correlation of their logit weights)? Features dead in exactly one "
            + "model: how far apart their log activations are.",
            [similarity, dead], charts, []);
    }

    private static IReadOnlyList<string> SimilarityRow(string name, SimilaritySummary s) =>
        [name, Format(s.N), Format(s.Undefined), Format(s.Mean), Format(s.Median), Percent(s.FracGe08)];

    private static ReportSection WeightsSection(WeightsResult weights, IReadOnlyList<Chart> charts)
    {
        var layers = new ReportTable(
            [ReportColumn.Code("layer"), ReportColumn.Number("relative change")],
            weights.Layers.Select(kv => (IReadOnlyList<string>)[kv.Key, Format(kv.Value)]).ToList())
        {
            Caption = "By layer",
        };
        // The five largest tensor changes point at what the finetune touched most; the full list is in the results file.
        var top = weights.Tensors.OrderByDescending(kv => double.IsNaN(kv.Value) ? double.NegativeInfinity : kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(5);
        var tensors = new ReportTable(
            [ReportColumn.Code("tensor"), ReportColumn.Number("relative change")],
            top.Select(kv => (IReadOnlyList<string>)[kv.Key, Format(kv.Value)]).ToList())
        {
            Caption = "Largest tensor changes",
        };
        return new ReportSection("weights", "Weight difference",
            "Relative Frobenius change ‖W_F - W_B‖ / ‖W_B‖ of the checkpoints' weights: a prior on how far the "
            + "finetune moved, no data needed. The unembedding's norm ratio ‖W_U^F‖ / ‖W_U^B‖ is "
            + $"{Format(weights.UnembedNormRatio)}.",
            [layers, tensors], charts, weights.Notes ?? []);
    }

    public static ReportTable KeyValueTable(string key, string value, IEnumerable<(string Key, string Value)> rows,
        ColumnKind valueKind = ColumnKind.Number) => new(
        [ReportColumn.Text(key), new ReportColumn(value, valueKind)],
        rows.Select(r => (IReadOnlyList<string>)[r.Key, r.Value]).ToList());

    /// <summary>The last folder of a path as written in the results (either separator), e.g. "ft-heavy".</summary>
    private static string? FolderName(string? path)
    {
        var trimmed = path?.TrimEnd('/', '\\');
        if (string.IsNullOrEmpty(trimmed)) return null;
        return trimmed[(trimmed.LastIndexOfAny(['/', '\\']) + 1)..];
    }
}
