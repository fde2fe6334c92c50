using System.Text.Json;
using SaeAudit.Evaluation.Manifests;
using SaeAudit.Testing;

namespace SaeAudit.Evaluation.Tests.Manifests;

/// <summary>schemas/manifest.schema.json must describe exactly what the loader accepts: the loader's field lists
/// (<see cref="ManifestFields"/>), metric paths and defaults are the source of truth.</summary>
public sealed class ManifestSchemaTests : IDisposable
{
    private readonly JsonDocument _schema =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "schemas", "manifest.schema.json")));

    public void Dispose() => _schema.Dispose();

    private JsonElement Root => _schema.RootElement;

    private JsonElement Def(string name) => Root.GetProperty("$defs").GetProperty(name);

    private static IEnumerable<string> PropertyNames(JsonElement objectSchema) =>
        objectSchema.GetProperty("properties").EnumerateObject().Select(property => property.Name);

    [Fact]
    public void Schema_IsDraft2020_12() =>
        Root.GetProperty("$schema").GetString().Should().Be("https://json-schema.org/draft/2020-12/schema");

    [Fact]
    public void DeclaredProperties_EqualTheFieldsTheLoaderAccepts()
    {
        PropertyNames(Root).Should().BeEquivalentTo(ManifestFields.ForManifest);
        PropertyNames(Def("pair")).Should().BeEquivalentTo(ManifestFields.ForPair);
        PropertyNames(Def("defaults")).Should().BeEquivalentTo(ManifestFields.ForDefaults);
        PropertyNames(Def("dataset")).Should().BeEquivalentTo(ManifestFields.ForDataset);
        PropertyNames(Def("outliers")).Should().BeEquivalentTo(ManifestFields.ForOutliers);
        PropertyNames(Def("transfer")).Should().BeEquivalentTo(ManifestFields.ForTransfer);
        PropertyNames(Def("gate")).Should().BeEquivalentTo(ManifestFields.ForGate);
    }

    [Fact]
    public void PairAndDefaults_DescribeTheirSharedFieldsAlike()
    {
        foreach (var field in ManifestFields.ForDefaults)
            Def("defaults").GetProperty("properties").GetProperty(field).GetRawText()
                .Should().Be(Def("pair").GetProperty("properties").GetProperty(field).GetRawText(), field);
    }

    [Fact]
    public void RequiredFields_MatchTheLoader()
    {
        Required(Root).Should().BeEquivalentTo("schema_version", "pairs");
        Required(Def("pair")).Should().BeEquivalentTo("name");
        Def("defaults").TryGetProperty("required", out _).Should().BeFalse();
        Required(Def("dataset")).Should().BeEquivalentTo("path");
        Required(Def("outliers")).Should().BeEquivalentTo("mode");
        Required(Def("gate")).Should().BeEquivalentTo("metric");
    }

    private static IEnumerable<string> Required(JsonElement objectSchema) =>
        objectSchema.GetProperty("required").EnumerateArray().Select(item => item.GetString()!);

    [Fact]
    public void GateMetricEnum_IsEveryMetricPath_InOrder() =>
        Def("gate").GetProperty("properties").GetProperty("metric").GetProperty("enum").EnumerateArray()
            .Select(item => item.GetString()).Should().Equal(MetricPaths.Ordered);

    [Fact]
    public void OutlierModeEnum_IsEveryMode_InOrder() =>
        Def("outliers").GetProperty("properties").GetProperty("mode").GetProperty("enum").EnumerateArray()
            .Select(item => item.GetString()).Should().Equal(OutlierSpec.ModeNames);

    [Fact]
    public void DeclaredDefaults_EqualTheLoadersDefaults()
    {
        var pair = Def("pair").GetProperty("properties");
        pair.GetProperty("context_size").GetProperty("default").GetInt32().Should().Be(PairSpec.DefaultContextSize);
        pair.GetProperty("batch_size").GetProperty("default").GetInt32().Should().Be(PairSpec.DefaultBatchSize);
        pair.GetProperty("seed").GetProperty("default").GetInt32().Should().Be(0);
        Default("dataset", "field").GetString().Should().Be(DatasetSpec.DefaultField);
        Default("dataset", "shuffle").GetBoolean().Should().BeTrue();
        Default("outliers", "calibration_rows").GetInt32().Should().Be(OutlierSpec.DefaultCalibrationRows);
        Default("transfer", "features").GetInt32().Should().Be(TransferSpec.Default.Features);
        Default("transfer", "dead_cap").GetInt32().Should().Be(TransferSpec.Default.DeadCap);
        Default("transfer", "density_range").EnumerateArray().Select(item => item.GetDouble())
            .Should().Equal(TransferSpec.Default.DensityLow, TransferSpec.Default.DensityHigh);
    }

    private JsonElement Default(string def, string property) =>
        Def(def).GetProperty("properties").GetProperty(property).GetProperty("default");

    [Fact]
    public void EveryObjectSchema_ForbidsAdditionalProperties_AndEveryPropertyHasADescription()
    {
        var objectSchemas = Walk(Root)
            .Where(element => element.ValueKind == JsonValueKind.Object && element.TryGetProperty("properties", out _)).ToList();

        objectSchemas.Should().HaveCountGreaterThanOrEqualTo(7);
        foreach (var objectSchema in objectSchemas.Where(schema => !IsConditional(schema)))
        {
            objectSchema.GetProperty("additionalProperties").GetBoolean().Should().BeFalse();
            foreach (var property in objectSchema.GetProperty("properties").EnumerateObject())
                property.Value.GetProperty("description").GetString().Should().NotBeNullOrWhiteSpace(property.Name);
        }
    }

    /// <summary>The "if" parts of if/then rules also hold "properties" but only test values; they declare nothing.</summary>
    private static bool IsConditional(JsonElement schema) =>
        !schema.TryGetProperty("type", out var type) || type.GetString() != "object";

    private static IEnumerable<JsonElement> Walk(JsonElement element)
    {
        yield return element;
        var children = element.ValueKind switch
        {
            JsonValueKind.Object => element.EnumerateObject().Select(property => property.Value),
            JsonValueKind.Array => element.EnumerateArray(),
            _ => [],
        };
        foreach (var descendant in children.SelectMany(Walk)) yield return descendant;
    }
}
