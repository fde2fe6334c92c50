using System.IO.Compression;
using System.Text.Json.Nodes;
using SaeAudit.Models;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;
using SaeAudit.Testing;

namespace SaeAudit.Saes.Tests;

/// <summary>Gemma Scope folders (<c>params.npz</c> only), built here from the fixture JumpReLU SAE's weights with
/// System.IO.Compression and <see cref="NpyFile"/>, so no numpy is needed.</summary>
public sealed class GemmaScopeTests : IDisposable
{
    private static readonly HookPoint Hook = HookPoint.Parse("blocks.2.hook_resid_pre");

    private static readonly string FixtureSae = Fixtures.Path("gpt2-tiny", "saes", "sae-jumprelu");

    private readonly string _root = Directory.CreateTempSubdirectory("saeaudit-gemmascope-tests-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Dictionary<string, Tensor> FixtureWeights()
    {
        using var file = SafetensorsFile.Open(Path.Combine(FixtureSae, SparseAutoencoder.WeightsFileName));
        return new[] { "W_enc", "W_dec", "b_enc", "b_dec", "threshold" }.ToDictionary(n => n, file.LoadFloat32);
    }

    /// <summary>A folder holding params.npz with <paramref name="members"/> (name → array) as .npy members.</summary>
    private string WriteNpz(IEnumerable<(string Name, Tensor Array)> members, CompressionLevel compression = CompressionLevel.NoCompression)
    {
        var folder = Path.Combine(_root, Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        using (var archive = ZipFile.Open(Path.Combine(folder, "params.npz"), ZipArchiveMode.Create))
        {
            foreach (var (name, array) in members)
            {
                var npy = Path.Combine(_root, name + ".npy");
                NpyFile.Write(npy, array);
                archive.CreateEntryFromFile(npy, name + ".npy", compression);
            }
        }
        return folder;
    }

    private string WriteNpz(Action<Dictionary<string, Tensor>>? edit = null, CompressionLevel compression = CompressionLevel.NoCompression)
    {
        var weights = FixtureWeights();
        edit?.Invoke(weights);
        return WriteNpz(weights.Select(w => (w.Key, w.Value)), compression);
    }

    /// <summary>The fixture SAE as SAELens would describe the Gemma Scope one: apply_b_dec_to_input false.</summary>
    private string SafetensorsEquivalent()
    {
        var folder = Path.Combine(_root, "saelens");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(FixtureSae)) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        var cfg = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "cfg.json")))!.AsObject();
        cfg["apply_b_dec_to_input"] = false;
        File.WriteAllText(Path.Combine(folder, "cfg.json"), cfg.ToJsonString());
        return folder;
    }

    private static Tensor Input(int rows, int width)
    {
        var random = new Random(7);
        var data = new float[rows * width];
        for (var i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 4 - 2);
        return new Tensor(data, rows, width);
    }

    [Theory]
    [InlineData(CompressionLevel.NoCompression)]
    [InlineData(CompressionLevel.Optimal)]
    public void Loads_and_encodes_like_the_equivalent_safetensors_SAE(CompressionLevel compression)
    {
        var folder = WriteNpz(compression: compression);
        var backend = new CpuBackend(2);

        var gemmaScope = SparseAutoencoder.Load(folder, backend, Hook);
        var saeLens = SparseAutoencoder.Load(SafetensorsEquivalent(), backend);

        gemmaScope.Config.Should().BeEquivalentTo(new
        {
            Path = Path.Combine(folder, "params.npz"), Architecture = SaeArchitecture.JumpRelu, HookName = "blocks.2.hook_resid_pre",
            Hook, DIn = 128, DSae = 2048, DType = "float32", ApplyBDecToInput = false, PrependBos = true, ContextSize = 1024,
            NormalizeActivations = ActivationNormalization.None,
        }, options => options.ExcludingMissingMembers());
        gemmaScope.Files.Should().Equal(Path.Combine(folder, "params.npz"));
        var x = Input(40, 128);
        var (features, reconstruction) = gemmaScope.Forward(x);
        var (expectedFeatures, expectedReconstruction) = saeLens.Forward(x);
        features.Data.Should().Equal(expectedFeatures.Data);
        reconstruction.Data.Should().Equal(expectedReconstruction.Data);
        features.Data.Count(f => f > 0).Should().BeGreaterThan(0, "the test must exercise active features");
    }

    [Fact]
    public void Reads_the_configuration_from_the_array_headers()
    {
        var config = SparseAutoencoder.ReadConfig(WriteNpz(), Hook);

        config.Should().BeEquivalentTo(new { DIn = 128, DSae = 2048, Hook, Architecture = SaeArchitecture.JumpRelu },
            options => options.ExcludingMissingMembers());
    }

    [Fact]
    public void Lowercase_w_members_are_read_as_SAELens_renames_them()
    {
        var weights = FixtureWeights();
        var folder = WriteNpz(weights.Select(w => (w.Key.StartsWith("W_") ? "w_" + w.Key[2..] : w.Key, w.Value)));

        SparseAutoencoder.Load(folder, new CpuBackend(1), Hook).WEnc.Data.Should().Equal(weights["W_enc"].Data);
    }

    [Fact]
    public void The_hook_is_required()
    {
        var folder = WriteNpz();

        var act = () => SparseAutoencoder.Load(folder, new CpuBackend(1));

        act.Should().Throw<InvalidInputException>()
            .WithMessage($"{Path.Combine(folder, "params.npz")}: hook: a Gemma Scope SAE does not record its hook*manifest*");
    }

    [Fact]
    public void A_missing_member_names_the_file_and_member()
    {
        var folder = WriteNpz(weights => weights.Remove("threshold"));

        var act = () => SparseAutoencoder.Load(folder, new CpuBackend(1), Hook);

        act.Should().Throw<InvalidInputException>()
            .WithMessage($"{Path.Combine(folder, "params.npz")}: member 'threshold.npy': missing (the archive has W_enc.npy, W_dec.npy, b_enc.npy, b_dec.npy)");
    }

    [Fact]
    public void A_wrong_shape_names_the_file_and_member()
    {
        var folder = WriteNpz(weights => weights["b_enc"] = Tensor.Zeros(2047));

        var act = () => SparseAutoencoder.ReadConfig(folder, Hook);

        act.Should().Throw<InvalidInputException>()
            .WithMessage("*params.npz: member 'b_enc.npy': shape [2047] does not match [2048] implied by W_enc [128, 2048]*");
    }

    [Fact]
    public void An_unexpected_member_is_rejected()
    {
        var folder = WriteNpz(weights => weights["scaling_factor"] = Tensor.Zeros(2048));

        var act = () => SparseAutoencoder.Load(folder, new CpuBackend(1), Hook);

        act.Should().Throw<InvalidInputException>().WithMessage("*params.npz: member 'scaling_factor.npy': unexpected*");
    }

    [Fact]
    public void A_corrupt_member_names_the_file_and_member()
    {
        var folder = Path.Combine(_root, "corrupt");
        Directory.CreateDirectory(folder);
        using (var archive = ZipFile.Open(Path.Combine(folder, "params.npz"), ZipArchiveMode.Create))
            foreach (var name in new[] { "W_enc", "W_dec", "b_enc", "b_dec", "threshold" })
                using (var stream = archive.CreateEntry(name + ".npy").Open())
                    stream.Write("not an array"u8);

        var act = () => SparseAutoencoder.ReadConfig(folder, Hook);

        act.Should().Throw<InvalidInputException>().WithMessage("*params.npz: member '*.npy': magic: not a .npy file*");
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_rejected()
    {
        var folder = Path.Combine(_root, "notzip");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "params.npz"), "hello");

        var act = () => SparseAutoencoder.ReadConfig(folder, Hook);

        act.Should().Throw<InvalidInputException>().WithMessage("*params.npz: is not an .npz (zip) archive*");
    }
}
