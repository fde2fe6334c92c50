using System.Collections.Frozen;

namespace SaeAudit.Evaluation.Manifests;

/// <summary>Every scalar a gate can test: the SPEC §11 result names of one pair joined by dots
/// (<c>finetune.ce.score</c>). Histograms, per-position curves and the weight tables are not scalars.</summary>
public static class MetricPaths
{
    /// <summary>In results-file order, so listings and suggestions read naturally.</summary>
    public static IReadOnlyList<string> Ordered { get; } = Build();

    public static FrozenSet<string> All { get; } = Ordered.ToFrozenSet(StringComparer.Ordinal);

    private static string[] Build()
    {
        string[] sae = ["l0", "l1", "mse", "explained_variance", "explained_variance_legacy", "r2_flat", "cos_rec", "l2_ratio",
            "dead_fraction", "dense_fraction"];
        string[] ce = ["clean", "sae", "zero", "delta", "score"];
        string[] kl = ["sae", "zero", "score"];
        string[] similarity = ["n", "undefined", "mean", "median", "frac_ge_0_8"];
        return
        [
            .. Prefixed("tokens", ["rows", "kept", "outliers"]),
            .. Prefixed("activations", ["cos_mean", "cos_std", "dist_mean", "dist_std", "outlier_fraction", "tau_base", "tau_finetune"]),
            .. new[] { "base", "finetune" }.SelectMany(model =>
                Prefixed($"{model}.sae", sae).Concat(Prefixed($"{model}.ce", ce)).Concat(Prefixed($"{model}.kl", kl))),
            .. Prefixed("densities", ["log_density_pearson", "born", "died", "dead_both"]),
            .. Prefixed("transfer.activation_similarity", similarity),
            .. Prefixed("transfer.logit_similarity", similarity),
            .. Prefixed("transfer.dead_activation_error", ["n", "mean"]),
            "weights.unembed_norm_ratio",
        ];
    }

    private static IEnumerable<string> Prefixed(string prefix, string[] names) => names.Select(name => $"{prefix}.{name}");
}
