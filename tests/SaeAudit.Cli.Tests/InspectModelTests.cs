using System.Text.Json;
using SaeAudit.Testing;

namespace SaeAudit.Cli.Tests;

public class InspectModelTests
{
    private static readonly string Base = Fixtures.Path("gpt2-tiny", "models", "base");

    [Fact]
    public async Task Text_shows_the_facts_one_per_line()
    {
        var result = await Cli.RunAsync("inspect", "model", Base);

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        result.Stderr.Should().BeEmpty();
        var fields = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2, StringSplitOptions.TrimEntries))
            .ToDictionary(parts => parts[0], parts => parts[1].Trim());
        fields["architecture"].Should().Be("GPT2LMHeadModel");
        fields["model_type"].Should().Be("gpt2");
        fields["parameters"].Should().Be("1350400 (F32: 1350400)");
        fields["dtypes"].Should().Be("F32");
        fields["layers"].Should().Be("4");
        fields["d_model"].Should().Be("128");
        fields["heads"].Should().Be("4");
        fields["vocab_size"].Should().Be("4096");
        fields["max_positions"].Should().Be("256");
        fields["tokenizer"].Should().StartWith("yes");
        fields["checkpoint_files"].Should().Be("model.safetensors (52 tensors)");
        fields["hooks"].Should().Be("blocks.{0..3}.hook_resid_pre|hook_attn_out|hook_mlp_out|hook_resid_post");
    }

    [Fact]
    public async Task Json_has_the_same_facts_in_a_stable_order()
    {
        var result = await Cli.RunAsync("inspect", "model", Base, "--json");

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().Equal(
            "model", "architecture", "model_type", "parameters", "parameters_by_dtype", "dtypes", "torch_dtype",
            "layers", "d_model", "heads", "vocab_size", "max_positions", "tokenizer", "checkpoint_files", "tensors", "hooks");
        root.GetProperty("architecture").GetString().Should().Be("GPT2LMHeadModel");
        root.GetProperty("parameters").GetInt64().Should().Be(1350400);
        root.GetProperty("parameters_by_dtype").GetProperty("F32").GetInt64().Should().Be(1350400);
        root.GetProperty("dtypes").EnumerateArray().Select(d => d.GetString()).Should().Equal("F32");
        root.GetProperty("layers").GetInt32().Should().Be(4);
        root.GetProperty("d_model").GetInt32().Should().Be(128);
        root.GetProperty("vocab_size").GetInt32().Should().Be(4096);
        root.GetProperty("tokenizer").GetBoolean().Should().BeTrue();
        root.GetProperty("checkpoint_files").EnumerateArray().Select(f => f.GetString()).Should().Equal("model.safetensors");
        var hooks = root.GetProperty("hooks").EnumerateArray().Select(h => h.GetString()).ToList();
        hooks.Should().HaveCount(16).And.Contain("blocks.0.hook_resid_pre").And.Contain("blocks.3.hook_mlp_out");
    }

    [Fact]
    public async Task Bf16_checkpoint_shows_BF16()
    {
        var result = await Cli.RunAsync("inspect", "model", Fixtures.Path("gpt2-tiny", "models", "base-bf16"), "--json");

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("dtypes").EnumerateArray().Select(d => d.GetString()).Should().Equal("BF16");
        json.RootElement.GetProperty("parameters_by_dtype").GetProperty("BF16").GetInt64().Should().Be(1350400);
        json.RootElement.GetProperty("torch_dtype").GetString().Should().Be("bfloat16");
    }
}
