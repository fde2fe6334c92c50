using SaeAudit.Models;
using SaeAudit.Tensors;

namespace SaeAudit.Saes.Tests;

/// <summary>The activation functions of SPEC §4 on hand-made SAEs whose encoder is the identity, so pre = x + b_enc.</summary>
public class SparseAutoencoderSemanticsTests
{
    private static SparseAutoencoder IdentitySae(SaeArchitecture architecture, int width, int? k = null,
        float[]? threshold = null, float[]? bDec = null, bool applyBDecToInput = false)
    {
        var config = new SaeConfig
        {
            Path = "/virtual/cfg.json",
            Architecture = architecture,
            K = k,
            HookName = "blocks.0.hook_resid_pre",
            Hook = HookPoint.Parse("blocks.0.hook_resid_pre"),
            DIn = width,
            DSae = width,
            DType = "float32",
            ApplyBDecToInput = applyBDecToInput,
            PrependBos = true,
        };
        var identity = Tensor.Zeros(width, width);
        for (var i = 0; i < width; i++) identity.Data[i * width + i] = 1f;
        return new SparseAutoencoder(config, identity, Tensor.Zeros(width), identity, new Tensor(bDec ?? new float[width], width),
            threshold is null ? null : new Tensor(threshold, width), new CpuBackend(1));
    }

    private static float[] Encode(SparseAutoencoder sae, params float[] x) => sae.Encode(new Tensor(x, 1, x.Length)).Data;

    [Fact]
    public void Standard_is_relu()
    {
        Encode(IdentitySae(SaeArchitecture.Standard, 4), -1f, 0f, 2f, 0.5f).Should().Equal(0f, 0f, 2f, 0.5f);
    }

    [Fact]
    public void TopK_keeps_the_k_largest_then_applies_relu()
    {
        var sae = IdentitySae(SaeArchitecture.TopK, 6, k: 3);

        Encode(sae, 0.5f, 4f, -2f, 3f, 1f, -7f).Should().Equal(0f, 4f, 0f, 3f, 1f, 0f);
        // Negative values among the top k are zeroed by the ReLU, not replaced by the next candidates.
        Encode(sae, -3f, -1f, 2f, -2f, -5f, -4f).Should().Equal(0f, 0f, 2f, 0f, 0f, 0f);
    }

    [Fact]
    public void TopK_breaks_ties_towards_the_lower_index()
    {
        var sae = IdentitySae(SaeArchitecture.TopK, 6, k: 2);

        Encode(sae, 1f, 3f, 3f, 3f, 0f, 3f).Should().Equal(0f, 3f, 3f, 0f, 0f, 0f);
        Encode(sae, 2f, 2f, 2f, 2f, 2f, 5f).Should().Equal(2f, 0f, 0f, 0f, 0f, 5f);
    }

    [Fact]
    public void TopK_with_k_equal_to_d_sae_is_relu()
    {
        Encode(IdentitySae(SaeArchitecture.TopK, 3, k: 3), 1f, -1f, 2f).Should().Equal(1f, 0f, 2f);
    }

    [Fact]
    public void JumpRelu_keeps_values_strictly_above_their_threshold()
    {
        var sae = IdentitySae(SaeArchitecture.JumpRelu, 4, threshold: [0.5f, 0.5f, 1f, -1f]);

        // Equal to the threshold is cut; a negative threshold lets negative values through, as the formula says.
        Encode(sae, 0.5f, 0.75f, 0.9f, -0.5f).Should().Equal(0f, 0.75f, 0f, -0.5f);
    }

    [Fact]
    public void B_dec_is_subtracted_from_the_input_when_configured_and_added_to_the_reconstruction()
    {
        var sae = IdentitySae(SaeArchitecture.Standard, 3, bDec: [1f, 1f, 1f], applyBDecToInput: true);

        var (features, reconstruction) = sae.Forward(new Tensor([3f, 0.5f, 1f], 1, 3));

        features.Data.Should().Equal(2f, 0f, 0f);
        reconstruction.Data.Should().Equal(3f, 1f, 1f);
    }

    [Fact]
    public void Encode_accepts_batched_input_and_reports_a_wrong_width()
    {
        var sae = IdentitySae(SaeArchitecture.Standard, 3);

        sae.Encode(Tensor.Zeros(2, 5, 3)).Shape.Should().Equal(10, 3);
        var act = () => sae.Encode(Tensor.Zeros(2, 4));
        act.Should().Throw<ArgumentException>().WithMessage("*3 columns*");
    }
}
