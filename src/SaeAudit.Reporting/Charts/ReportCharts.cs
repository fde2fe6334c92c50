using SaeAudit.Evaluation.Metrics;
using SaeAudit.Evaluation.Results;

namespace SaeAudit.Reporting.Charts;

/// <summary>The charts of one pair, in report order, each with a stable id "&lt;pair slug&gt;-&lt;chart&gt;" (see
/// <see cref="Ids"/>). Charts whose data the results file lacks (the density sample of an older file) are left out.</summary>
public static class ReportCharts
{
    /// <summary>The chart-name suffixes, in report order.</summary>
    public static class Ids
    {
        public const string CosHistogram = "cos-histogram";
        public const string DistHistogram = "dist-histogram";
        public const string CosByPosition = "cos-by-position";
        public const string DistByPosition = "dist-by-position";
        public const string LogDensityHistogram = "log-density-histogram";
        public const string DensityParallel = "density-parallel";
        public const string LogActivationHistogram = "log-activation-histogram";
        public const string ActivationSimilarityHistogram = "activation-similarity-histogram";
        public const string LogitSimilarityHistogram = "logit-similarity-histogram";
        public const string DeadActivationErrorHistogram = "dead-activation-error-histogram";
        public const string WeightChange = "weight-change";
    }

    private const string BaseName = "base";
    private const string FinetuneName = "finetune";

    /// <summary>Every chart of <paramref name="pair"/>.</summary>
    public static IReadOnlyList<Chart> For(PairResult pair)
    {
        var slug = ChartIds.Slug(pair.Name);
        string Id(string chart) => $"{slug}-{chart}";
        var a = pair.Activations;
        var charts = new List<Chart>
        {
            Single(Id(Ids.CosHistogram), "Cosine similarity of base and finetune activations",
                ChartAxis.Linear("cos(x_base, x_finetune)"), ChartAxis.Log("tokens"), a.CosHistogram,
                $"Mean {NumberFormat.MeanStd(a.CosMean, a.CosStd)} over {NumberFormat.Format(pair.Tokens.Kept)} kept tokens"),
            Single(Id(Ids.DistHistogram), "L2 distance between base and finetune activations",
                ChartAxis.Linear("|x_base - x_finetune|"), ChartAxis.Linear("tokens"), a.DistHistogram,
                $"Mean {NumberFormat.MeanStd(a.DistMean, a.DistStd)} over {NumberFormat.Format(pair.Tokens.Kept)} kept tokens"),
            ByPosition(Id(Ids.CosByPosition), "Cosine similarity by position", "mean cos", a.CosByPosition,
                $"Mean over rows at each position; over all kept tokens {NumberFormat.Format(a.CosMean)}"),
            ByPosition(Id(Ids.DistByPosition), "L2 distance by position", "mean L2 distance", a.DistByPosition,
                $"Mean over rows at each position; over all kept tokens {NumberFormat.Format(a.DistMean)}"),
            Overlaid(Id(Ids.LogDensityHistogram), "Feature density (alive features)",
                ChartAxis.Linear("log10 feature density"), ChartAxis.Linear("features"),
                pair.Base.Sae.LogDensityHistogram, pair.Finetune.Sae.LogDensityHistogram,
                $"Pearson r of log10 density (alive in both) {NumberFormat.Format(pair.Densities.LogDensityPearson)}; " +
                $"dead: {pair.Densities.Born} in base only, {pair.Densities.Died} in finetune only, {pair.Densities.DeadBoth} in both"),
        };
        if (pair.Densities.Sample is { } sample) charts.Add(DensityParallel(Id(Ids.DensityParallel), sample));
        charts.Add(Overlaid(Id(Ids.LogActivationHistogram), "Feature activations (nonzero)",
            ChartAxis.Linear("log10 feature activation"), ChartAxis.Log("activations"),
            pair.Base.Sae.LogActivationHistogram, pair.Finetune.Sae.LogActivationHistogram,
            $"L0 base {NumberFormat.Format(pair.Base.Sae.L0)}, finetune {NumberFormat.Format(pair.Finetune.Sae.L0)}"));
        charts.Add(Similarity(Id(Ids.ActivationSimilarityHistogram), "Feature activation similarity (regular features)",
            pair.Transfer.ActivationSimilarity));
        charts.Add(Similarity(Id(Ids.LogitSimilarityHistogram), "Feature logit-weight similarity (regular features)",
            pair.Transfer.LogitSimilarity));
        var dead = pair.Transfer.DeadActivationError;
        charts.Add(Single(Id(Ids.DeadActivationErrorHistogram), "Activation error of exclusively dead features",
            ChartAxis.Linear("mean |log10 f_base - log10 f_finetune|"), ChartAxis.Linear("features"), dead.Histogram,
            $"n = {dead.N}, mean {NumberFormat.Format(dead.Mean)}"));
        charts.Add(WeightChange(Id(Ids.WeightChange), pair.Weights));
        return charts;
    }

    private static HistogramChart Single(string id, string title, ChartAxis x, ChartAxis y, HistogramResult histogram,
        string note) =>
        new(id, title, x, y, [HistogramSeries.From("base vs finetune", ChartPalette.Neutral, histogram)]) { Note = note };

    private static HistogramChart Overlaid(string id, string title, ChartAxis x, ChartAxis y, HistogramResult baseHistogram,
        HistogramResult finetuneHistogram, string note) =>
        new(id, title, x, y,
        [
            HistogramSeries.From(BaseName, ChartPalette.Base, baseHistogram),
            HistogramSeries.From(FinetuneName, ChartPalette.Finetune, finetuneHistogram),
        ]) { Note = note };

    private static LineChart ByPosition(string id, string title, string yLabel, double[] values, string note) =>
        new(id, title, ChartAxis.Linear("position (0 = BOS)"), ChartAxis.Linear(yLabel),
            [LineSeries.ByIndex(yLabel, ChartPalette.Neutral, values)]) { Note = note };

    private static HistogramChart Similarity(string id, string title, SimilaritySummary summary) =>
        Single(id, title, ChartAxis.Linear("Pearson r, base vs finetune"), ChartAxis.Linear("features"), summary.Histogram,
            $"n = {summary.N} ({summary.Undefined} undefined), mean {NumberFormat.Format(summary.Mean)}, " +
            $"median {NumberFormat.Format(summary.Median)}, {NumberFormat.Percent(summary.FracGe08)} ≥ 0.8")
        with { Markers = [new ChartMarker(0.8, "0.8")] };

    private static ParallelCoordinatesChart DensityParallel(string id, DensitySample sample) =>
        new(id, $"Feature density, base → finetune ({sample.Features.Length} sampled features)",
            ChartAxis.Linear("log10 feature density"), BaseName, FinetuneName, sample.LogDensityBase,
            sample.LogDensityFinetune, presentLabel: "alive in both", missingLabel: "dead");

    private static BarChart WeightChange(string id, WeightsResult weights) =>
        new(id, "Weight change per layer group",
            ChartAxis.Linear("|W_finetune - W_base|_F / |W_base|_F", min: 0), categoryLabel: "",
            weights.Layers.Select(layer => new Bar(layer.Key, layer.Value)).ToArray(), ChartPalette.Finetune)
        {
            Note = $"Unembedding norm ratio |W_U finetune|_F / |W_U base|_F = {NumberFormat.Format(weights.UnembedNormRatio)}",
        };
}
