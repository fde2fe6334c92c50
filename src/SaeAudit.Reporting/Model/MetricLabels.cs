namespace SaeAudit.Reporting.Model;

/// <summary>Plain-English names for metric paths (SPEC §11), for sentences a reviewer reads; tables keep the exact
/// path, which is what a manifest's gate names.</summary>
internal static class MetricLabels
{
    private static readonly Dictionary<string, string> Paths = new(StringComparer.Ordinal)
    {
        ["activations.cos_mean"] = "mean activation cosine",
        ["activations.cos_std"] = "activation cosine std",
        ["activations.dist_mean"] = "mean activation distance",
        ["activations.dist_std"] = "activation distance std",
        ["activations.outlier_fraction"] = "outlier fraction",
        ["densities.log_density_pearson"] = "log-density correlation",
        ["densities.born"] = "features born",
        ["densities.died"] = "features died",
        ["densities.dead_both"] = "features dead in both",
        ["transfer.activation_similarity.mean"] = "mean activation similarity",
        ["transfer.activation_similarity.median"] = "median activation similarity",
        ["transfer.activation_similarity.frac_ge_0_8"] = "share of features with activation similarity ≥ 0.8",
        ["transfer.logit_similarity.mean"] = "mean logit similarity",
        ["transfer.logit_similarity.median"] = "median logit similarity",
        ["transfer.logit_similarity.frac_ge_0_8"] = "share of features with logit similarity ≥ 0.8",
        ["transfer.dead_activation_error.mean"] = "mean dead-feature activation error",
        ["weights.unembed_norm_ratio"] = "unembedding norm ratio",
    };

    /// <summary>Names under <c>base.</c> / <c>finetune.</c>, prefixed with the model.</summary>
    private static readonly Dictionary<string, string> ModelMetrics = new(StringComparer.Ordinal)
    {
        ["sae.l0"] = "L0",
        ["sae.l1"] = "L1",
        ["sae.mse"] = "MSE",
        ["sae.explained_variance"] = "explained variance",
        ["sae.explained_variance_legacy"] = "explained variance (legacy)",
        ["sae.r2_flat"] = "R² (flat)",
        ["sae.cos_rec"] = "reconstruction cosine",
        ["sae.l2_ratio"] = "L2 ratio",
        ["sae.dead_fraction"] = "dead-feature fraction",
        ["sae.dense_fraction"] = "dense-feature fraction",
        ["ce.clean"] = "clean CE loss",
        ["ce.sae"] = "CE loss with the SAE",
        ["ce.zero"] = "zero-ablation CE loss",
        ["ce.delta"] = "CE loss increase",
        ["ce.score"] = "CE loss recovered",
        ["kl.sae"] = "KL with the SAE",
        ["kl.zero"] = "zero-ablation KL",
        ["kl.score"] = "KL score",
    };

    public static string For(string metricPath)
    {
        if (Paths.TryGetValue(metricPath, out var label)) return label;
        foreach (var model in (string[])["base", "finetune"])
        {
            var prefix = model + ".";
            if (metricPath.StartsWith(prefix, StringComparison.Ordinal)
                && ModelMetrics.TryGetValue(metricPath[prefix.Length..], out var metric))
                return $"{model} {metric}";
        }
        return metricPath;
    }
}
