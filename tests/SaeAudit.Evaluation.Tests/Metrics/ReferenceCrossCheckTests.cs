using System.Buffers.Binary;
using System.Text.Json;
using SaeAudit.Evaluation.Metrics;
using SaeAudit.Testing;
using SaeAudit.Tensors;

namespace SaeAudit.Evaluation.Tests.Metrics;

/// <summary>The data-free parts of the reference results recomputed from the fixture checkpoints: weight
/// differences, and the logit-weight similarity of the reference's own sampled features.</summary>
public class ReferenceCrossCheckTests
{
    [Theory]
    [InlineData("code-relu-prose")]
    [InlineData("light-relu-prose")]
    public void Weight_differences_match_the_reference(string referenceCase)
    {
        var (reference, parameters) = Load(referenceCase);
        var baseModel = ReadSafetensors(CheckpointPath(parameters, "base", "model.safetensors"));
        var finetune = ReadSafetensors(CheckpointPath(parameters, "finetune", "model.safetensors"));
        var r = WeightDifference.Compute(new WeightTensors(baseModel.Keys, k => StoredTensor.Of(baseModel[k])),
            new WeightTensors(finetune.Keys, k => StoredTensor.Of(finetune[k])));

        var expected = reference.GetProperty("weights");
        r.UnembedNormRatio.Should().BeApproximately(expected.GetProperty("unembed_norm_ratio").GetDouble(), 1e-12);
        foreach (var group in new[] { "tensors", "layers" })
        {
            var values = group == "tensors" ? r.Tensors : r.Layers;
            var properties = expected.GetProperty(group).EnumerateObject().ToList();
            values.Keys.Should().BeEquivalentTo(properties.Select(p => p.Name));
            foreach (var p in properties) values[p.Name].Should().BeApproximately(p.Value.GetDouble(), 1e-12, p.Name);
        }
    }

    [Theory]
    [InlineData("code-relu-prose")]
    public void Logit_similarity_of_the_sampled_features_matches_the_reference(string referenceCase)
    {
        var (reference, parameters) = Load(referenceCase);
        var sampled = parameters.Extras.GetProperty("sampled_features").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var sae = ReadSafetensors(CheckpointPath(parameters, "sae", "sae_weights.safetensors"));
        var baseModel = ReadSafetensors(CheckpointPath(parameters, "base", "model.safetensors"));
        var finetune = ReadSafetensors(CheckpointPath(parameters, "finetune", "model.safetensors"));
        var weights = new LogitWeights(sae["W_dec"], baseModel["ln_f.weight"].Data, baseModel["wte.weight"],
            finetune["ln_f.weight"].Data, finetune["wte.weight"]);
        var similarity = LogitSimilarity.Compute(sampled, weights);

        var expected = reference.GetProperty("transfer").GetProperty("logit_similarity");
        similarity.Should().HaveCount(expected.GetProperty("n").GetInt32());
        similarity.Count(double.IsNaN).Should().Be(expected.GetProperty("undefined").GetInt32());
        Statistics.Mean(similarity).Should().BeApproximately(expected.GetProperty("mean").GetDouble(), 1e-9);
        Statistics.Median(similarity).Should().BeApproximately(expected.GetProperty("median").GetDouble(), 1e-9);
        ((double)similarity.Count(s => s >= 0.8) / similarity.Length).Should().Be(expected.GetProperty("frac_ge_0_8").GetDouble());
        var histogram = new Histogram(-1, 1, 100);
        foreach (var s in similarity) histogram.Add(s);
        histogram.Result().Counts.Should().Equal(expected.GetProperty("histogram").GetProperty("counts").EnumerateArray().Select(e => e.GetInt64()));
    }

    private sealed record Parameters(JsonElement Values, JsonElement Extras);

    private static (JsonElement Pair, Parameters Parameters) Load(string referenceCase)
    {
        var text = File.ReadAllText(Fixtures.Path("gpt2-tiny", "reference", $"metrics-{referenceCase}.json"));
        var root = JsonDocument.Parse(text).RootElement;
        var referenceBlock = root.GetProperty("reference");
        return (root.GetProperty("pairs")[0], new Parameters(referenceBlock.GetProperty("parameters"), referenceBlock.GetProperty("extras")));
    }

    /// <summary>The reference names inputs as seen from a checkout beside shared/: ../shared/fixtures/...</summary>
    private static string CheckpointPath(Parameters parameters, string input, string file)
    {
        var relative = parameters.Values.GetProperty(input).GetString()!;
        const string prefix = "../shared/fixtures/";
        relative.Should().StartWith(prefix);
        return Path.Combine(Fixtures.Path([.. relative[prefix.Length..].Split('/')]), file);
    }

    /// <summary>A minimal F32-only safetensors reader (the fixtures these tests use are F32).</summary>
    private static Dictionary<string, Tensor> ReadSafetensors(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var tensors = new Dictionary<string, Tensor>();
        foreach (var entry in header.RootElement.EnumerateObject().Where(e => e.Name != "__metadata__"))
        {
            entry.Value.GetProperty("dtype").GetString().Should().Be("F32");
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var data = new float[(offsets[1] - offsets[0]) / 4];
            Buffer.BlockCopy(bytes, 8 + headerLength + offsets[0], data, 0, offsets[1] - offsets[0]);
            tensors[entry.Name] = new Tensor(data, shape);
        }
        return tensors;
    }
}
