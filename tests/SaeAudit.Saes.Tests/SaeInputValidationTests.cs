using System.Text;
using System.Text.Json.Nodes;
using SaeAudit.Models;
using SaeAudit.Tensors;
using SaeAudit.Testing;

namespace SaeAudit.Saes.Tests;

/// <summary>Bad SAE folders and configs: each is an <see cref="InvalidInputException"/> naming the file and the field.</summary>
public sealed class SaeInputValidationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("saeaudit-sae-tests-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A copy of a fixture SAE folder with cfg.json edited by <paramref name="edit"/>.</summary>
    private string CopyOf(string name, Action<JsonObject>? edit = null)
    {
        var folder = Path.Combine(_root, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var source = Fixtures.Path("gpt2-tiny", "saes", name);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        if (edit is not null)
        {
            var cfgPath = Path.Combine(folder, "cfg.json");
            var cfg = JsonNode.Parse(File.ReadAllText(cfgPath))!.AsObject();
            edit(cfg);
            File.WriteAllText(cfgPath, cfg.ToJsonString());
        }
        return folder;
    }

    private static SparseAutoencoder Load(string folder) => SparseAutoencoder.Load(folder, new CpuBackend(1));

    private static SaeConfig ParseConfig(string json) => SaeConfig.Parse(Encoding.UTF8.GetBytes(json), "/x/cfg.json");

    [Fact]
    public void Missing_cfg_json_names_the_file()
    {
        var folder = CopyOf("sae-relu");
        File.Delete(Path.Combine(folder, "cfg.json"));

        var act = () => Load(folder);

        act.Should().Throw<InvalidInputException>().WithMessage($"{Path.Combine(folder, "cfg.json")}: *not found*");
    }

    [Fact]
    public void Missing_weights_file_names_the_file()
    {
        var folder = CopyOf("sae-relu");
        File.Delete(Path.Combine(folder, "sae_weights.safetensors"));

        var act = () => Load(folder);

        act.Should().Throw<InvalidInputException>().WithMessage("*sae_weights.safetensors: *not found*");
    }

    [Fact]
    public void Missing_folder_is_invalid_input()
    {
        var act = () => Load(Path.Combine(_root, "nope"));

        act.Should().Throw<InvalidInputException>().WithMessage("*nope: SAE folder not found");
    }

    [Fact]
    public void Unknown_architecture_names_cfg_json_and_the_field()
    {
        var folder = CopyOf("sae-relu", cfg => cfg["architecture"] = "gated");

        var act = () => Load(folder);

        act.Should().Throw<InvalidInputException>().WithMessage("*cfg.json: architecture: \"gated\" is not supported*");
    }

    [Fact]
    public void Activation_normalization_is_rejected()
    {
        var folder = CopyOf("sae-relu", cfg => cfg["normalize_activations"] = "expected_average_only_in");

        var act = () => Load(folder);

        act.Should().Throw<InvalidInputException>()
            .WithMessage("*cfg.json: normalize_activations: \"expected_average_only_in\" is not supported*");
    }

    [Fact]
    public void Null_normalize_activations_means_none()
    {
        var folder = CopyOf("sae-relu", cfg => cfg["normalize_activations"] = null);

        Load(folder).Architecture.Should().Be(SaeArchitecture.Standard);
    }

    [Fact]
    public void W_enc_shape_mismatch_with_d_in_names_the_weights_file_and_tensor()
    {
        var folder = CopyOf("sae-relu", cfg => cfg["d_in"] = 64);

        var act = () => Load(folder);

        act.Should().Throw<InvalidInputException>()
            .WithMessage("*sae_weights.safetensors: tensor 'W_enc': shape [128, 2048] does not match [64, 2048]*");
    }

    [Fact]
    public void Jumprelu_without_threshold_names_the_weights_file_and_tensor()
    {
        var folder = CopyOf("sae-relu", cfg => cfg["architecture"] = "jumprelu");

        var act = () => Load(folder);

        act.Should().Throw<InvalidInputException>().WithMessage("*sae_weights.safetensors: tensor 'threshold': missing*");
    }

    [Fact]
    public void Topk_without_k_names_the_field()
    {
        var folder = CopyOf("sae-topk", cfg => cfg["activation_fn_kwargs"] = new JsonObject());

        var act = () => Load(folder);

        act.Should().Throw<InvalidInputException>().WithMessage("*cfg.json: k: missing*");
    }

    [Fact]
    public void Topk_k_above_d_sae_is_rejected()
    {
        var folder = CopyOf("sae-topk", cfg => cfg["activation_fn_kwargs"] = new JsonObject { ["k"] = 4096 });

        var act = () => Load(folder);

        act.Should().Throw<InvalidInputException>().WithMessage("*cfg.json: activation_fn_kwargs.k: k = 4096 exceeds d_sae = 2048");
    }

    [Fact]
    public void Unsupported_hook_names_hook_name()
    {
        var folder = CopyOf("sae-relu", cfg => cfg["hook_name"] = "blocks.2.attn.hook_z");

        var act = () => Load(folder);

        act.Should().Throw<InvalidInputException>().WithMessage("*cfg.json: hook_name: \"blocks.2.attn.hook_z\" is not a supported hook*");
    }

    [Fact]
    public void Hook_layer_must_agree_with_hook_name()
    {
        var folder = CopyOf("sae-relu", cfg => cfg["hook_layer"] = 3);

        var act = () => Load(folder);

        act.Should().Throw<InvalidInputException>().WithMessage("*cfg.json: hook_layer: 3 disagrees with hook_name*");
    }

    [Fact]
    public void D_in_must_match_the_model_width()
    {
        var sae = Load(CopyOf("sae-relu"));

        var act = () => sae.CheckCompatibility("models/wide", dModel: 256, layers: 4);

        act.Should().Throw<InvalidInputException>()
            .WithMessage("*cfg.json: d_in: 128 does not match the width 256 of blocks.2.hook_resid_pre in model models/wide");
    }

    [Fact]
    public void Hook_layer_must_exist_in_the_model()
    {
        var sae = Load(CopyOf("sae-relu"));

        sae.CheckCompatibility("models/base", dModel: 128, layers: 4);
        var act = () => sae.CheckCompatibility("models/shallow", dModel: 128, layers: 2);

        act.Should().Throw<InvalidInputException>()
            .WithMessage("*cfg.json: hook_name: blocks.2.hook_resid_pre needs layer 2, but model models/shallow has 2 layers*");
    }

    [Fact]
    public void Reads_the_SAELens_6_layout()
    {
        var config = ParseConfig("""
            {"architecture": "topk", "d_in": 128, "d_sae": 2048, "k": 16, "dtype": "bfloat16", "device": "cpu",
             "apply_b_dec_to_input": false, "normalize_activations": "none", "reshape_activations": "none",
             "metadata": {"model_name": "gpt2", "hook_name": "blocks.3.hook_resid_post", "context_size": 1024,
                          "prepend_bos": false, "hook_head_index": null, "sae_lens_version": "6.12.1"}}
            """);

        config.Architecture.Should().Be(SaeArchitecture.TopK);
        config.K.Should().Be(16);
        config.Hook.Should().Be(new HookPoint(3, HookKind.ResidPost));
        config.HookName.Should().Be("blocks.3.hook_resid_post");
        config.ApplyBDecToInput.Should().BeFalse();
        config.PrependBos.Should().BeFalse();
        config.ContextSize.Should().Be(1024);
        config.ModelName.Should().Be("gpt2");
        config.DType.Should().Be("bfloat16");
    }

    [Fact]
    public void Reads_classic_topk_spelled_as_a_standard_architecture_with_a_topk_activation()
    {
        var config = ParseConfig("""
            {"d_in": 8, "d_sae": 32, "hook_name": "blocks.0.hook_mlp_out", "hook_layer": 0,
             "activation_fn_str": "topk", "activation_fn_kwargs": {"k": 4}}
            """);

        config.Architecture.Should().Be(SaeArchitecture.TopK);
        config.K.Should().Be(4);
        // Absent fields take SAELens's defaults.
        config.ApplyBDecToInput.Should().BeTrue();
        config.PrependBos.Should().BeTrue();
        config.DType.Should().Be("float32");
    }

    [Theory]
    [InlineData("""{"d_in": 8, "hook_name": "blocks.0.hook_resid_pre"}""", "d_sae: missing")]
    [InlineData("""{"d_in": "8", "d_sae": 8, "hook_name": "blocks.0.hook_resid_pre"}""", "d_in: expected an integer*")]
    [InlineData("""{"d_in": 0, "d_sae": 8, "hook_name": "blocks.0.hook_resid_pre"}""", "d_in: must be positive*")]
    [InlineData("""{"d_in": 8, "d_sae": 8}""", "hook_name: missing")]
    [InlineData("""{"d_in": 8, "d_sae": 8, "hook_name": "blocks.0.hook_resid_pre", "apply_b_dec_to_input": 1}""", "apply_b_dec_to_input: expected true or false*")]
    [InlineData("""{"d_in": 8, "d_sae": 8, "hook_name": "blocks.0.hook_resid_pre", "activation_fn_str": "tanh-relu"}""", "activation_fn_str: \"tanh-relu\" is not supported*")]
    [InlineData("""{"d_in": 8, "d_sae": 8, "hook_name": "blocks.0.hook_resid_pre", "hook_head_index": 2}""", "hook_head_index: per-head SAEs are not supported*")]
    [InlineData("""[1, 2]""", "expected a JSON object")]
    [InlineData("""{"d_in": 8,""", "is not valid JSON*")]
    public void Malformed_configs_name_the_field(string json, string message)
    {
        var act = () => ParseConfig(json);

        act.Should().Throw<InvalidInputException>().WithMessage("/x/cfg.json: " + message);
    }
}
