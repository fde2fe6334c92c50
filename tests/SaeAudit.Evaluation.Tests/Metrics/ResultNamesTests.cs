using SaeAudit.Evaluation.Manifests;
using System.Text.Json;
using SaeAudit.Evaluation.Metrics;
using SaeAudit.Testing;
using SaeAudit.Tensors;
using static SaeAudit.Evaluation.Tests.Metrics.MetricsTestData;

namespace SaeAudit.Evaluation.Tests.Metrics;

/// <summary>The result records serialize with exactly the property names of the reference files (SPEC §11).</summary>
public class ResultNamesTests
{
    private static readonly JsonElement ReferencePair = LoadReferencePair();

    [Fact]
    public void Activation_and_token_results()
    {
        var filter = OutlierFilter.Calibrate(new OutlierSpec(OutlierMode.MedianMultiple, null, 3, 32), [1.0], [1.0]);
        var similarity = new ActivationSimilarity(2, filter);
        similarity.Add(Matrix(2, 1, 1, 1), Matrix(2, 1, 1, 1), Mask(2, 2));
        ShouldMatch(similarity.Result(), ReferencePair.GetProperty("activations"));
        ShouldMatch(similarity.Tokens(), ReferencePair.GetProperty("tokens"));
    }

    [Fact]
    public void Sae_loss_and_density_results()
    {
        var sae = new SaeReconstruction(1);
        sae.Add(Matrix(2, 1, 1, 2), Matrix(2, 1, 1, 0), Matrix(2, 1, 1, 2), Mask(2, 2));
        ShouldMatch(sae.Result(), ReferencePair.GetProperty("base").GetProperty("sae"));
        var loss = new DownstreamLoss().Result();
        ShouldMatch(loss.Ce, ReferencePair.GetProperty("base").GetProperty("ce"));
        ShouldMatch(loss.Kl, ReferencePair.GetProperty("base").GetProperty("kl"));
        ShouldMatch(FeatureDensities.Compute([1], [1], 2), ReferencePair.GetProperty("densities"));
    }

    [Fact]
    public void Transfer_and_weight_results()
    {
        var transfer = new FeatureTransfer(1);
        transfer.Add(Matrix(2, 1, 1, 0), Matrix(2, 1, 1, 0), Mask(2, 2));
        var weights = new LogitWeights(Matrix(1, 1, 1), [1f], Matrix(2, 1, 1, 2), [1f], Matrix(2, 1, 1, 2));
        ShouldMatch(transfer.Result([1], [1], TransferSpec.Default, 0, weights), ReferencePair.GetProperty("transfer"));
        var tensors = new Dictionary<string, Tensor> { ["wte.weight"] = Matrix(1, 1, 1) };
        var source = new WeightTensors(tensors.Keys, k => StoredTensor.Of(tensors[k]));
        ShouldMatch(WeightDifference.Compute(source, source), ReferencePair.GetProperty("weights"), nested: false);
    }

    [Fact]
    public void Nan_is_written_as_null_and_read_back()
    {
        // No positions scored: every loss metric is undefined.
        var json = JsonSerializer.Serialize(new DownstreamLoss().Result());
        json.Should().Be("""{"ce":{"clean":null,"sae":null,"zero":null,"delta":null,"score":null},"kl":{"sae":null,"zero":null,"score":null}}""");
        JsonSerializer.Deserialize<LossResult>(json)!.Ce.Clean.Should().Be(double.NaN);
        var activations = new ActivationsResult(0, 0, 0, 0, 0, null, null, [double.NaN, 1], [1, double.NaN],
            new Histogram(0, 1, 1).Result(), new Histogram(0, 1, 1).Result());
        JsonSerializer.Serialize(activations).Should().Contain("\"cos_by_position\":[null,1]").And.Contain("\"tau_base\":null");
    }

    /// <summary>Same property names as the reference object, recursively into nested objects.</summary>
    private static void ShouldMatch<T>(T result, JsonElement reference, bool nested = true)
    {
        using var written = JsonDocument.Parse(JsonSerializer.Serialize(result));
        ShouldMatch(written.RootElement, reference, typeof(T).Name, nested);
    }

    private static void ShouldMatch(JsonElement written, JsonElement reference, string path, bool nested)
    {
        var names = written.EnumerateObject().Select(p => p.Name).ToList();
        names.Should().BeEquivalentTo(reference.EnumerateObject().Select(p => p.Name), path);
        if (!nested) return;
        foreach (var property in reference.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object))
            ShouldMatch(written.GetProperty(property.Name), property.Value, $"{path}.{property.Name}", nested);
    }

    private static JsonElement LoadReferencePair()
    {
        var path = Fixtures.Path("gpt2-tiny", "reference", "metrics-code-relu-prose.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return json.RootElement.GetProperty("pairs")[0].Clone();
    }
}
