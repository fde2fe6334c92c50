using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;
using SaeAudit.Testing;

namespace SaeAudit.Saes.Tests;

/// <summary>Encode / decode of the fixture SAEs against the PyTorch reference outputs on 32 base-model activations
/// (reference/sae_*_base_seq0_pos0-31.npy; row 0 is the BOS position, out of distribution on purpose).
/// Tolerance: max-abs error ≤ 1e-5 · max-abs reference value, for features and reconstructions alike. The set of nonzero
/// features must match exactly, except entries whose value lies within 1e-6 of the cut (0, the jumprelu threshold, or
/// the top-k boundary), where float32 rounding may legitimately flip the decision.</summary>
public class SparseAutoencoderReferenceTests
{
    private const double RelativeTolerance = 1e-5;
    private const float CutTolerance = 1e-6f;

    private static string Reference(string file) => Fixtures.Path("gpt2-tiny", "reference", file);

    private static Tensor Input() => NpyFile.Read(Reference("sae_input_base_seq0_pos0-31.npy")).ToFloat32();

    private static SparseAutoencoder LoadSae(string name, int threads = 2) =>
        SparseAutoencoder.Load(Fixtures.Path("gpt2-tiny", "saes", name), new CpuBackend(threads));

    [Theory]
    [InlineData("sae-relu", SaeArchitecture.Standard)]
    [InlineData("sae-topk", SaeArchitecture.TopK)]
    [InlineData("sae-jumprelu", SaeArchitecture.JumpRelu)]
    public void Loads_the_fixture_config(string name, SaeArchitecture architecture)
    {
        var sae = LoadSae(name);

        sae.Architecture.Should().Be(architecture);
        sae.DIn.Should().Be(128);
        sae.DSae.Should().Be(2048);
        sae.Hook.ToString().Should().Be("blocks.2.hook_resid_pre");
        sae.K.Should().Be(architecture == SaeArchitecture.TopK ? 32 : null);
        sae.PrependBos.Should().BeTrue();
        sae.Config.ApplyBDecToInput.Should().BeTrue();
        sae.Config.ContextSize.Should().Be(128);
        sae.Files.Select(Path.GetFileName).Should().Equal("cfg.json", "sae_weights.safetensors");
        sae.WDec.Shape.Should().Equal(2048, 128);
    }

    [Theory]
    [InlineData("sae-relu")]
    [InlineData("sae-topk")]
    [InlineData("sae-jumprelu")]
    public void Encode_matches_the_reference_features(string name)
    {
        var sae = LoadSae(name);
        var expected = NpyFile.Read(Reference($"sae_feats_{name}_base_seq0_pos0-31.npy")).ToFloat32();

        var features = sae.Encode(Input());

        features.Shape.Should().Equal(expected.Shape);
        MaxAbsError(features, expected).Should().BeLessThanOrEqualTo(RelativeTolerance * MaxAbs(expected));
        for (var r = 0; r < features.Rows; r++)
        {
            var ours = features.Row(r).ToArray();
            var theirs = expected.Row(r).ToArray();
            var keptMin = ours.Where(v => v != 0f).DefaultIfEmpty(0f).Min();
            for (var i = 0; i < ours.Length; i++)
            {
                if ((ours[i] != 0f) == (theirs[i] != 0f)) continue;
                var value = ours[i] != 0f ? ours[i] : theirs[i];
                var cut = sae.Architecture switch
                {
                    SaeArchitecture.JumpRelu => sae.Threshold!.Data[i],
                    SaeArchitecture.TopK => Math.Abs(value) <= CutTolerance ? 0f : keptMin,
                    _ => 0f,
                };
                Math.Abs(value - cut).Should().BeLessThanOrEqualTo(CutTolerance,
                    $"feature {i} of row {r} is {ours[i]} here and {theirs[i]} in the reference");
            }
        }
        if (sae.Architecture == SaeArchitecture.TopK)
            for (var r = 0; r < features.Rows; r++)
                features.Row(r).ToArray().Count(v => v != 0f).Should().BeLessThanOrEqualTo(32);
    }

    [Theory]
    [InlineData("sae-relu")]
    [InlineData("sae-topk")]
    [InlineData("sae-jumprelu")]
    public void Decode_and_Forward_match_the_reference_reconstruction(string name)
    {
        var sae = LoadSae(name);
        var referenceFeatures = NpyFile.Read(Reference($"sae_feats_{name}_base_seq0_pos0-31.npy")).ToFloat32();
        var expected = NpyFile.Read(Reference($"sae_recon_{name}_base_seq0_pos0-31.npy")).ToFloat32();
        var tolerance = RelativeTolerance * MaxAbs(expected);

        MaxAbsError(sae.Decode(referenceFeatures), expected).Should().BeLessThanOrEqualTo(tolerance);

        var (features, reconstruction) = sae.Forward(Input());
        MaxAbsError(reconstruction, expected).Should().BeLessThanOrEqualTo(tolerance);
        reconstruction.Data.Should().Equal(sae.Decode(features).Data);
    }

    [Theory]
    [InlineData("sae-relu")]
    [InlineData("sae-topk")]
    [InlineData("sae-jumprelu")]
    public void Results_do_not_depend_on_the_thread_count(string name)
    {
        var input = Input();
        var one = LoadSae(name, threads: 1).Forward(input);
        var many = LoadSae(name, threads: 8).Forward(input);

        many.Features.Data.Should().Equal(one.Features.Data);
        many.Reconstruction.Data.Should().Equal(one.Reconstruction.Data);
    }

    [Fact]
    public void Rows_decode_the_same_alone_or_in_a_batch_with_dense_rows()
    {
        var sae = LoadSae("sae-relu");
        var features = sae.Encode(Input());
        // Make row 3 dense (every feature active) so the batch mixes the sparse and the GEMM path.
        var random = new Random(5);
        var dense = features.Row(3);
        for (var i = 0; i < dense.Length; i++) dense[i] = (float)random.NextDouble();

        var batch = sae.Decode(features);

        for (var r = 0; r < features.Rows; r++)
        {
            var alone = sae.Decode(new Tensor(features.Row(r).ToArray(), 1, sae.DSae));
            alone.Data.Should().Equal(batch.Row(r).ToArray(), $"row {r}");
        }
        // Both paths agree with a float64 evaluation of f·W_dec + b_dec to float32 rounding.
        for (var r = 0; r < features.Rows; r++)
        {
            var exact = DecodeInDouble(sae, features.Row(r));
            var maxAbs = exact.Max(Math.Abs);
            for (var j = 0; j < sae.DIn; j++)
                Math.Abs(batch.Row(r)[j] - exact[j]).Should().BeLessThanOrEqualTo(1e-5 * maxAbs, $"row {r}, column {j}");
        }
    }

    private static double[] DecodeInDouble(SparseAutoencoder sae, ReadOnlySpan<float> features)
    {
        var result = new double[sae.DIn];
        for (var i = 0; i < features.Length; i++)
        {
            if (features[i] == 0f) continue;
            var row = sae.WDec.Row(i);
            for (var j = 0; j < result.Length; j++) result[j] += (double)features[i] * row[j];
        }
        for (var j = 0; j < result.Length; j++) result[j] += sae.BDec.Data[j];
        return result;
    }

    private static double MaxAbs(Tensor t) => t.Data.Max(v => Math.Abs((double)v));

    private static double MaxAbsError(Tensor actual, Tensor expected)
    {
        actual.Data.Length.Should().Be(expected.Data.Length);
        var max = 0.0;
        for (var i = 0; i < actual.Data.Length; i++) max = Math.Max(max, Math.Abs((double)actual.Data[i] - expected.Data[i]));
        return max;
    }
}
