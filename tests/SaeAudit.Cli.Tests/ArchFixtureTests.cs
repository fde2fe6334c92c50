using System.Text.Json;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Testing;

namespace SaeAudit.Cli.Tests;

/// <summary>Every shared/fixtures/arch model (Llama, Mistral, Gemma, Gemma-2, GPT-NeoX, GPT-2, sharded BF16 Llama)
/// through the command line: <c>inspect model</c> states the facts its config and headers declare, and <c>trace</c>
/// reproduces the PyTorch reference at every hook and the logits (SPEC §10: max-abs error / max-abs reference
/// below 1e-4) on the 40-token input, which exercises sliding windows and soft-capping.</summary>
public sealed class ArchFixtureTests
{
    public static TheoryData<string> Models => new(ArchManifest().GetProperty("models").EnumerateObject().Select(m => m.Name));

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Inspect_states_the_facts_of_the_fixture(string name)
    {
        var model = ArchManifest().GetProperty("models").GetProperty(name);
        var config = model.GetProperty("config");
        var result = await Cli.RunAsync("inspect", "model", Fixtures.Path("arch", model.GetProperty("path").GetString()!), "--json");

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        var facts = JsonDocument.Parse(result.Stdout).RootElement;
        facts.GetProperty("architecture").GetString().Should().Be(config.GetProperty("architectures")[0].GetString());
        facts.GetProperty("model_type").GetString().Should().Be(config.GetProperty("model_type").GetString());
        facts.GetProperty("layers").GetInt32().Should().Be(model.GetProperty("num_layers").GetInt32());
        facts.GetProperty("d_model").GetInt32().Should().Be(Field(config, "hidden_size", "n_embd"));
        facts.GetProperty("heads").GetInt32().Should().Be(Field(config, "num_attention_heads", "n_head"));
        facts.GetProperty("vocab_size").GetInt32().Should().Be(config.GetProperty("vocab_size").GetInt32());
        facts.GetProperty("dtypes").EnumerateArray().Select(d => d.GetString()).Should().Equal(model.GetProperty("weights_dtype").GetString());
        facts.GetProperty("parameters").GetInt64().Should().Be(CountParameters(Fixtures.Path("arch", model.GetProperty("path").GetString()!)));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Trace_matches_the_reference_at_every_hook(string name)
    {
        var model = ArchManifest().GetProperty("models").GetProperty(name);
        var folder = Fixtures.Path("arch", model.GetProperty("path").GetString()!);
        var reference = Path.Combine(folder, "ref", "len40");
        using var output = new TempFolder();

        var result = await Cli.RunAsync("trace", "--model", folder, "--input-ids", Path.Combine(reference, "input_ids.npy"),
            "--out", output.Path, "--all-hooks");

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        var expectedFiles = Directory.GetFiles(reference, "blocks.*.npy")
            .Where(f => !f.Contains("hook_pattern")).Append(Path.Combine(reference, "logits.npy")).ToList();
        expectedFiles.Should().HaveCountGreaterThan(4);
        foreach (var expectedFile in expectedFiles)
        {
            var expected = NpyFile.Read(expectedFile).ToFloat32().Data;
            var actual = NpyFile.Read(Path.Combine(output.Path, Path.GetFileName(expectedFile))).ToFloat32().Data;
            actual.Length.Should().Be(expected.Length, Path.GetFileName(expectedFile));
            double maxError = 0, maxReference = 0;
            for (var i = 0; i < expected.Length; i++)
            {
                maxError = Math.Max(maxError, Math.Abs(actual[i] - (double)expected[i]));
                maxReference = Math.Max(maxReference, Math.Abs((double)expected[i]));
            }
            (maxError / maxReference).Should().BeLessThan(1e-4, $"{name}/{Path.GetFileName(expectedFile)}");
        }
    }

    /// <summary>A config value under its Llama-style name, or GPT-2's.</summary>
    private static int Field(JsonElement config, string name, string gpt2Name) =>
        (config.TryGetProperty(name, out var value) ? value : config.GetProperty(gpt2Name)).GetInt32();

    private static JsonElement ArchManifest() =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("arch", "manifest.json"))).RootElement;

    /// <summary>Counts parameters from the safetensors headers with a reader of its own (8-byte length, JSON header),
    /// independent of the product's.</summary>
    private static long CountParameters(string folder)
    {
        long total = 0;
        foreach (var file in Directory.GetFiles(folder, "*.safetensors"))
        {
            using var stream = File.OpenRead(file);
            var lengthBytes = new byte[8];
            stream.ReadExactly(lengthBytes);
            var header = new byte[BitConverter.ToInt64(lengthBytes)];
            stream.ReadExactly(header);
            foreach (var tensor in JsonDocument.Parse(header).RootElement.EnumerateObject())
            {
                if (tensor.Name == "__metadata__") continue;
                total += tensor.Value.GetProperty("shape").EnumerateArray().Aggregate(1L, (n, d) => n * d.GetInt64());
            }
        }
        return total;
    }
}
