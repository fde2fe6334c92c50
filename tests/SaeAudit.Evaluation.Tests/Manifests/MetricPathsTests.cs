using SaeAudit.Evaluation.Manifests;

namespace SaeAudit.Evaluation.Tests.Manifests;

public class MetricPathsTests
{
    [Fact]
    public void All_HoldsEverySpec11Scalar_Once()
    {
        // tokens 3, activations 7, per model (sae 10 + ce 5 + kl 3) x 2, densities 4, similarities 5 x 2,
        // dead activation error 2, weights 1.
        MetricPaths.Ordered.Should().HaveCount(63).And.OnlyHaveUniqueItems();
        MetricPaths.All.Should().BeEquivalentTo(MetricPaths.Ordered);
    }

    [Theory]
    [InlineData("tokens.kept")]
    [InlineData("activations.tau_finetune")]
    [InlineData("base.sae.explained_variance_legacy")]
    [InlineData("finetune.ce.score")]
    [InlineData("finetune.kl.zero")]
    [InlineData("densities.dead_both")]
    [InlineData("transfer.activation_similarity.mean")]
    [InlineData("transfer.logit_similarity.frac_ge_0_8")]
    [InlineData("transfer.dead_activation_error.n")]
    [InlineData("weights.unembed_norm_ratio")]
    public void All_ContainsTheSpecNames(string path) => MetricPaths.All.Should().Contain(path);

    [Theory]
    [InlineData("finetune.ce_score")]
    [InlineData("activations.cos_histogram")]
    [InlineData("activations.cos_by_position")]
    [InlineData("weights.tensors")]
    [InlineData("transfer.dead_activation_error.median")]
    public void All_LeavesOutNonScalarsAndMisspellings(string path) => MetricPaths.All.Should().NotContain(path);
}
