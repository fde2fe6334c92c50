using System.Text;
using System.Text.Json.Nodes;
using SaeAudit.Models;
using SaeAudit.Tensors;
using SaeAudit.Testing;

namespace SaeAudit.Saes.Tests;

/// <summary>SAELens's <c>normalize_activations</c> modes: parsing, and encode/decode on hand-computed inputs.</summary>
public sealed class ActivationNormalizationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("saeaudit-normalize-tests-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A standard SAE whose encoder and decoder are the identity, so f = ReLU(x_in) and x̂_in = f + b_dec.</summary>
    private static SparseAutoencoder IdentitySae(ActivationNormalization mode, float[] bDec)
    {
        var width = bDec.Length;
        var config = new SaeConfig
        {
            Path = "/virtual/cfg.json",
            Architecture = SaeArchitecture.Standard,
            HookName = "blocks.0.hook_resid_pre",
            Hook = HookPoint.Parse("blocks.0.hook_resid_pre"),
            DIn = width,
            DSae = width,
            DType = "float32",
            ApplyBDecToInput = false,
            PrependBos = true,
            NormalizeActivations = mode,
        };
        var identity = Tensor.Zeros(width, width);
        for (var i = 0; i < width; i++) identity.Data[i * width + i] = 1f;
        return new SparseAutoencoder(config, identity, Tensor.Zeros(width), identity, new Tensor(bDec, width), null, new CpuBackend(1));
    }

    private static SaeConfig Parse(string normalize) => SaeConfig.Parse(Encoding.UTF8.GetBytes(
        $$"""{"d_in": 4, "d_sae": 4, "hook_name": "blocks.0.hook_resid_pre", "normalize_activations": {{normalize}}}"""), "/x/cfg.json");

    private static void ShouldBeClose(float[] actual, float[] expected, float tolerance)
    {
        actual.Should().HaveSameCount(expected);
        for (var i = 0; i < actual.Length; i++) actual[i].Should().BeApproximately(expected[i], tolerance, $"element {i}");
    }

    [Theory]
    [InlineData("\"none\"", ActivationNormalization.None)]
    [InlineData("null", ActivationNormalization.None)]
    [InlineData("false", ActivationNormalization.None)]
    [InlineData("true", ActivationNormalization.ExpectedAverageOnlyIn)]
    [InlineData("\"expected_average_only_in\"", ActivationNormalization.ExpectedAverageOnlyIn)]
    [InlineData("\"constant_norm_rescale\"", ActivationNormalization.ConstantNormRescale)]
    [InlineData("\"layer_norm\"", ActivationNormalization.LayerNorm)]
    public void Parses_every_SAELens_mode_and_the_pre_6_bool(string json, ActivationNormalization mode)
    {
        Parse(json).NormalizeActivations.Should().Be(mode);
    }

    [Fact]
    public void An_unknown_mode_is_rejected_by_name()
    {
        var act = () => Parse("\"whitening\"");

        act.Should().Throw<InvalidInputException>().WithMessage(
            "/x/cfg.json: normalize_activations: \"whitening\" is not supported (expected none, expected_average_only_in, constant_norm_rescale or layer_norm)");
    }

    [Fact]
    public void Constant_norm_rescale_scales_each_token_to_norm_sqrt_d_in_and_back()
    {
        // x = [3, -4, 0, 0]: |x| = 5, c = sqrt(4) / 5 = 0.4, so the SAE sees [1.2, -1.6, 0, 0]: f = [1.2, 0, 0, 0];
        // x̂ = (f + b_dec) / c = [1.7, 0, 0, 0.5] / 0.4 = [4.25, 0, 0, 1.25].
        var sae = IdentitySae(ActivationNormalization.ConstantNormRescale, [0.5f, 0f, 0f, 0.5f]);
        var x = new Tensor([3f, -4f, 0f, 0f], 1, 4);

        var (features, reconstruction) = sae.Forward(x);

        features.Data.Should().Equal(1.2f, 0f, 0f, 0f);
        ShouldBeClose(reconstruction.Data, [4.25f, 0f, 0f, 1.25f], 1e-6f);
    }

    [Fact]
    public void Layer_norm_standardizes_each_token_and_restores_its_mean_and_std()
    {
        // x = [1, 2, 3, 6]: μ = 3, x − μ = [-2, -1, 0, 3], σ = sqrt(14 / 3) (unbiased) = 2.1602469;
        // f = ReLU((x − μ) / (σ + 1e-5)) = [0, 0, 0, 1.3887237]; x̂ = f·σ + μ = [3, 3, 3, 5.9999861].
        var sae = IdentitySae(ActivationNormalization.LayerNorm, [0f, 0f, 0f, 0f]);
        var x = new Tensor([1f, 2f, 3f, 6f], 1, 4);

        var (features, reconstruction) = sae.Forward(x);

        features.Data[..3].Should().Equal(0f, 0f, 0f);
        features.Data[3].Should().BeApproximately(1.3887237f, 1e-6f);
        reconstruction.Data[..3].Should().Equal(3f, 3f, 3f);
        reconstruction.Data[3].Should().BeApproximately(5.9999861f, 1e-5f);
    }

    [Fact]
    public void Per_token_modes_need_the_input_to_decode()
    {
        var sae = IdentitySae(ActivationNormalization.LayerNorm, [0f, 0f, 0f, 0f]);

        var act = () => sae.Decode(Tensor.Zeros(1, 4));

        act.Should().Throw<ArgumentNullException>().WithParameterName("input");
    }

    [Fact]
    public void Each_token_is_normalized_with_its_own_statistics()
    {
        var sae = IdentitySae(ActivationNormalization.ConstantNormRescale, [0f, 0f, 0f, 0f]);
        var x = new Tensor([3f, 4f, 0f, 0f, 0f, 0f, 0f, 10f], 2, 4);

        var features = sae.Encode(x);

        // Row norms 5 and 10: both rows are scaled to norm sqrt(4) = 2.
        features.Data.Should().Equal(1.2f, 1.6f, 0f, 0f, 0f, 0f, 0f, 2f);
    }

    /// <summary>A copy of the fixture ReLU SAE saying expected_average_only_in, with <paramref name="scaler"/> as its
    /// activation_scaler.json (none when null).</summary>
    private string ExpectedAverageFolder(string? scaler)
    {
        var folder = Path.Combine(_root, Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var source = Fixtures.Path("gpt2-tiny", "saes", "sae-relu");
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        var cfg = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "cfg.json")))!.AsObject();
        cfg["normalize_activations"] = "expected_average_only_in";
        File.WriteAllText(Path.Combine(folder, "cfg.json"), cfg.ToJsonString());
        if (scaler is not null) File.WriteAllText(Path.Combine(folder, SaeConfig.ActivationScalerFileName), scaler);
        return folder;
    }

    [Fact]
    public void Expected_average_only_in_folds_the_saved_scaling_factor_into_the_weights()
    {
        // SAELens trains on s·x: f = act((s·x − b_dec)·W_enc + b_enc) and x̂ = (f·W_dec + b_dec) / s.
        const float s = 0.25f;
        var backend = new CpuBackend(1);
        var folder = ExpectedAverageFolder("""{"scaling_factor": 0.25}""");
        var plain = SparseAutoencoder.Load(Fixtures.Path("gpt2-tiny", "saes", "sae-relu"), backend);

        var folded = SparseAutoencoder.Load(folder, backend);

        folded.Config.NormScalingFactor.Should().Be(0.25);
        folded.Files.Should().Contain(Path.Combine(folder, "activation_scaler.json"));
        var x = new Tensor(Enumerable.Range(0, 3 * 128).Select(i => MathF.Sin(i) * 8f).ToArray(), 3, 128);
        var scaled = new Tensor(x.Data.Select(v => v * s).ToArray(), 3, 128);
        var (features, reconstruction) = folded.Forward(x);
        var (expectedFeatures, expectedScaledReconstruction) = plain.Forward(scaled);
        ShouldBeClose(features.Data, expectedFeatures.Data, 1e-4f);
        ShouldBeClose(reconstruction.Data, expectedScaledReconstruction.Data.Select(v => v / s).ToArray(), 1e-3f);
    }

    [Fact]
    public void Expected_average_only_in_without_its_scaling_factor_is_rejected()
    {
        var folder = ExpectedAverageFolder(scaler: null);

        var act = () => SparseAutoencoder.Load(folder, new CpuBackend(1));

        act.Should().Throw<InvalidInputException>().WithMessage(
            "*cfg.json: normalize_activations: \"expected_average_only_in\" is not supported without its scaling factor*activation_scaler.json*");
    }

    [Fact]
    public void A_null_scaling_factor_is_rejected()
    {
        var folder = ExpectedAverageFolder("""{"scaling_factor": null}""");

        var act = () => SparseAutoencoder.ReadConfig(folder);

        act.Should().Throw<InvalidInputException>().WithMessage("*activation_scaler.json: scaling_factor: expected a positive number*");
    }
}
