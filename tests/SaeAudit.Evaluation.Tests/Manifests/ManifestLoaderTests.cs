using SaeAudit.Evaluation.Sampling;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SaeAudit.Evaluation.Manifests;
using SaeAudit.Models;

namespace SaeAudit.Evaluation.Tests.Manifests;

public sealed class ManifestLoaderTests : IDisposable
{
    private readonly ManifestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void MinimalPair_TakesTheBuiltInDefaults()
    {
        var manifest = _folder.Load($$"""{ "schema_version": 1, "pairs": [ {{ManifestFolder.MinimalPair}} ] }""");

        manifest.SourcePath.Should().Be(_folder.PathOf("manifest.json"));
        manifest.Directory.Should().Be(_folder.Root);
        manifest.Pairs.Should().ContainSingle().Which.Should().BeEquivalentTo(new PairSpec
        {
            Name = "a",
            Base = _folder.PathOf("base"),
            Finetune = _folder.PathOf("ft"),
            Sae = _folder.PathOf("sae"),
            Hook = null,
            Dataset = new DatasetSpec(_folder.PathOf("data.jsonl"), DatasetFormat.Jsonl, "text", Shuffle: true),
            ContextSize = 128,
            NTokens = 1000,
            BatchSize = 16,
            Seed = 0,
            PrependBos = null,
            Outliers = new OutlierSpec(OutlierMode.None, null, null, 32),
            Transfer = new TransferSpec(1000, 1000, 1e-5, 1e-1),
            Gates = [],
        });
    }

    [Fact]
    public void Defaults_FillEveryFieldAPairLeavesOut()
    {
        var manifest = _folder.Load("""
            {
              "schema_version": 1,
              "defaults": {
                "base": "base", "finetune": "ft", "sae": "sae", "hook": "blocks.2.hook_resid_post",
                "dataset": { "path": "data.txt", "shuffle": false },
                "context_size": 64, "n_tokens": 4096, "batch_size": 8, "seed": 5, "prepend_bos": false,
                "outliers": { "mode": "mean_multiple", "k": 2, "calibration_rows": 4 },
                "transfer": { "features": 10, "dead_cap": 0, "density_range": [0, 1] },
                "gates": [ { "metric": "finetune.ce.score", "min": 0.9 } ]
              },
              "pairs": [ { "name": "only-a-name" } ]
            }
            """);

        manifest.Pairs.Should().ContainSingle().Which.Should().BeEquivalentTo(new PairSpec
        {
            Name = "only-a-name",
            Base = _folder.PathOf("base"),
            Finetune = _folder.PathOf("ft"),
            Sae = _folder.PathOf("sae"),
            Hook = new HookPoint(2, HookKind.ResidPost),
            Dataset = new DatasetSpec(_folder.PathOf("data.txt"), DatasetFormat.Text, null, Shuffle: false),
            ContextSize = 64,
            NTokens = 4096,
            BatchSize = 8,
            Seed = 5,
            PrependBos = false,
            Outliers = new OutlierSpec(OutlierMode.MeanMultiple, null, 2, 4),
            Transfer = new TransferSpec(10, 0, 0, 1),
            Gates = [new GateSpec("finetune.ce.score", 0.9, null)],
        });
    }

    [Fact]
    public void PairFields_ReplaceDefaults_ObjectsAsAWhole_GatesAddUp()
    {
        var manifest = _folder.Load("""
            {
              "schema_version": 1,
              "defaults": {
                "base": "base", "finetune": "ft", "sae": "sae", "n_tokens": 100, "seed": 1,
                "dataset": { "path": "data.jsonl", "field": "body", "shuffle": false },
                "outliers": { "mode": "median_multiple", "k": 3 },
                "transfer": { "features": 300, "dead_cap": 20 },
                "gates": [ { "metric": "finetune.ce.score", "min": 0.9 } ]
              },
              "pairs": [
                {
                  "name": "own", "seed": 2,
                  "dataset": { "path": "data.npy" },
                  "outliers": { "mode": "absolute", "value": 8.2 },
                  "transfer": { "dead_cap": 5 },
                  "gates": [ { "metric": "transfer.activation_similarity.mean", "max": 1, "min": 0.8 } ]
                },
                { "name": "inherits" }
              ]
            }
            """);

        var own = manifest.Pairs[0];
        own.Seed.Should().Be(2);
        own.Dataset.Should().Be(new DatasetSpec(_folder.PathOf("data.npy"), DatasetFormat.Npy, null, Shuffle: true), "the whole dataset object is replaced");
        own.Outliers.Should().Be(new OutlierSpec(OutlierMode.Absolute, 8.2, null, 32));
        own.Transfer.Should().Be(new TransferSpec(1000, 5, 1e-5, 0.1), "keys the pair's transfer leaves out take the built-in defaults");
        own.Gates.Should().Equal(new GateSpec("finetune.ce.score", 0.9, null), new GateSpec("transfer.activation_similarity.mean", 0.8, 1));

        var inherits = manifest.Pairs[1];
        inherits.Seed.Should().Be(1);
        inherits.Dataset.Should().Be(new DatasetSpec(_folder.PathOf("data.jsonl"), DatasetFormat.Jsonl, "body", Shuffle: false));
        inherits.Outliers.Should().Be(new OutlierSpec(OutlierMode.MedianMultiple, null, 3, 32));
        inherits.Transfer.Should().Be(new TransferSpec(300, 20, 1e-5, 0.1));
        inherits.Gates.Should().Equal(new GateSpec("finetune.ce.score", 0.9, null));
    }

    [Fact]
    public void Paths_ResolveAgainstTheManifestsFolder_AbsoluteAndHubReferencesAsWritten()
    {
        Directory.CreateDirectory(_folder.PathOf("manifests"));
        var absoluteSae = JsonEncodedText.Encode(_folder.PathOf("sae"));
        var path = _folder.Write($$"""
            {
              "schema_version": 1,
              "pairs": [ {
                "name": "p", "base": "../base", "finetune": "hf:org/finetuned-model", "sae": "{{absoluteSae}}",
                "dataset": { "path": "./../data.safetensors" }, "n_tokens": 1
              } ]
            }
            """, Path.Combine("manifests", "m.json"));

        var pair = ManifestLoader.Load(path).Pairs.Single();

        pair.Base.Should().Be(_folder.PathOf("base"));
        pair.Finetune.Should().Be("hf:org/finetuned-model", "hub references are left to the hub loader, unchecked");
        pair.Sae.Should().Be(_folder.PathOf("sae"));
        pair.Dataset.Should().Be(new DatasetSpec(_folder.PathOf("data.safetensors"), DatasetFormat.Safetensors, null, Shuffle: true));
    }

    [Theory]
    [InlineData("data.jsonl", DatasetFormat.Jsonl, "text")]
    [InlineData("data.txt", DatasetFormat.Text, null)]
    [InlineData("data.npy", DatasetFormat.Npy, null)]
    [InlineData("data.safetensors", DatasetFormat.Safetensors, null)]
    [InlineData("UPPER.NPY", DatasetFormat.Npy, null)]
    public void DatasetFormat_FollowsTheExtension_IgnoringCase(string file, DatasetFormat kind, string? field)
    {
        File.WriteAllText(_folder.PathOf(file), "");
        var manifest = _folder.Load($$"""
            { "schema_version": 1, "pairs": [ { "name": "a", "base": "base", "finetune": "ft", "sae": "sae",
              "dataset": { "path": "{{file}}" }, "n_tokens": 1 } ] }
            """);

        manifest.Pairs[0].Dataset.Should().Be(new DatasetSpec(_folder.PathOf(file), kind, field, Shuffle: true));
    }

    [Fact]
    public void CommentsTrailingCommasAndAByteOrderMark_AreAccepted()
    {
        var json = $$"""
            // the starter manifest has comments like this one
            {
              "schema_version": 1, /* and this */
              "pairs": [ {{ManifestFolder.MinimalPair}}, ],
            }
            """;
        var path = _folder.PathOf("manifest.json");
        File.WriteAllText(path, json, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        ManifestLoader.Load(path).Pairs.Should().ContainSingle();
    }

    [Fact]
    public void Integers_MayBeWrittenInAnyWholeNumberSpelling_AndSeedsSpanUInt64()
    {
        var pair = _folder.Load("""
            { "schema_version": 1.0, "pairs": [ { "name": "a", "base": "base", "finetune": "ft", "sae": "sae",
              "dataset": { "path": "data.npy" }, "n_tokens": 1.6384e4, "context_size": 128.0, "seed": 18446744073709551615 } ] }
            """).Pairs[0];

        pair.NTokens.Should().Be(16384);
        pair.ContextSize.Should().Be(128);
        pair.Seed.Should().Be(ulong.MaxValue);
    }

    [Fact]
    public void Parse_ResolvesAgainstTheSourcePathsFolder_WithoutTheFileExisting()
    {
        var json = $$"""{ "schema_version": 1, "pairs": [ {{ManifestFolder.MinimalPair}} ] }""";

        var manifest = ManifestLoader.Parse(json, _folder.PathOf("not-written.json"));

        manifest.SourcePath.Should().Be(_folder.PathOf("not-written.json"));
        manifest.Pairs[0].Base.Should().Be(_folder.PathOf("base"));
    }

    [Fact]
    public void CanonicalJson_IsTheResolvedManifest_SortedCompactWithRelativePaths()
    {
        var manifest = _folder.Load("""
            {
              "schema_version": 1,
              "defaults": { "gates": [ { "metric": "finetune.ce.score", "min": 0.9 } ] },
              "pairs": [ {
                "name": "a", "base": "base", "finetune": "ft", "sae": "sae", "hook": "blocks.2.hook_resid_pre",
                "dataset": { "path": "data.jsonl" }, "n_tokens": 1000, "prepend_bos": true,
                "outliers": { "mode": "absolute", "value": 8.2 },
                "gates": [ { "max": 2, "metric": "base.kl.sae" } ]
              } ]
            }
            """);

        // One line in the file; split here for reading.
        manifest.ToCanonicalJson().Should().Be("""
            {"pairs":[{"base":"base","batch_size":16,"context_size":128,"dataset":{"field":"text","path":"data.jsonl","shuffle":true},
            "finetune":"ft","gates":[{"metric":"finetune.ce.score","min":0.9},{"max":2,"metric":"base.kl.sae"}],
            "hook":"blocks.2.hook_resid_pre","n_tokens":1000,"name":"a","outliers":{"calibration_rows":32,"mode":"absolute","value":8.2},
            "prepend_bos":true,"sae":"sae","seed":0,"transfer":{"dead_cap":1000,"density_range":[1E-05,0.1],"features":1000}}],"schema_version":1}
            """.ReplaceLineEndings(""));
        manifest.CanonicalHash.Should().MatchRegex("^[0-9a-f]{64}$")
            .And.Be(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest.ToCanonicalJson()))));
    }

    [Fact]
    public void CanonicalJson_HasSortedKeysEverywhere_AndLoadsBackToTheSameManifest()
    {
        var manifest = _folder.Load(EveryFieldManifest);

        var canonical = manifest.ToCanonicalJson();
        using (var document = JsonDocument.Parse(canonical)) AssertKeysSorted(document.RootElement);
        var reloaded = _folder.Load(canonical);

        reloaded.ToCanonicalJson().Should().Be(canonical);
        reloaded.Pairs.Should().BeEquivalentTo(manifest.Pairs);
    }

    [Fact]
    public void CanonicalHash_IgnoresHowTheManifestIsWritten()
    {
        var viaDefaults = _folder.Load("""
            {
              // defaults, comments, 1e-05
              "schema_version": 1,
              "defaults": { "base": "base", "finetune": "ft", "sae": "sae", "n_tokens": 16384,
                            "transfer": { "density_range": [1e-05, 1e-1] } },
              "pairs": [ { "name": "a", "dataset": { "path": "data.jsonl" } } ]
            }
            """).CanonicalHash;
        var inline = _folder.Load("""
            {"pairs":[{"transfer":{"features":1000,"density_range":[0.00001,0.1]},"n_tokens":1.6384e4,"seed":0,"sae":"./sae",
              "outliers":{"mode":"none"},"name":"a","finetune":"ft","dataset":{"shuffle":true,"field":"text","path":"data.jsonl"},"base":"base/"}],
             "schema_version":1}
            """).CanonicalHash;

        inline.Should().Be(viaDefaults);
    }

    [Fact]
    public void CanonicalHash_ChangesWithAnyResolvedValue()
    {
        string Hash(string seed) => _folder.Load($$"""
            { "schema_version": 1, "pairs": [ { "name": "a", "base": "base", "finetune": "ft", "sae": "sae",
              "dataset": { "path": "data.jsonl" }, "n_tokens": 1000, "seed": {{seed}} } ] }
            """).CanonicalHash;

        Hash("1").Should().NotBe(Hash("0"));
    }

    [Fact]
    public void CanonicalHash_DoesNotDependOnWhereTheFolderLives()
    {
        using var elsewhere = new ManifestFolder();

        elsewhere.Load(EveryFieldManifest).CanonicalHash.Should().Be(_folder.Load(EveryFieldManifest).CanonicalHash);
    }

    [Fact]
    public void PairCanonicalJson_WithoutAFolder_WritesAbsolutePaths()
    {
        var pair = _folder.Load(EveryFieldManifest).Pairs[0];

        using var document = JsonDocument.Parse(pair.ToCanonicalJson());
        document.RootElement.GetProperty("base").GetString().Should().Be(_folder.PathOf("base"));
        document.RootElement.GetProperty("finetune").GetString().Should().Be("hf:org/ft");
        document.RootElement.GetProperty("dataset").GetProperty("path").GetString().Should().Be(_folder.PathOf("data.npy"));
    }

    [Fact]
    public void Describe_SummarisesThePairOnOneLine()
    {
        var line = _folder.Load(EveryFieldManifest).Pairs[0].Describe();

        line.Should().NotContain("\n").And.StartWith("every-field: ")
            .And.Contain("blocks.1.hook_mlp_out").And.Contain("outliers median_multiple:1.35")
            .And.Contain("finetune.ce.score in [0.9, 1.5]").And.Contain("finetune.kl.sae <= 0.1");
    }

    [Theory]
    [InlineData(0.9, true)]
    [InlineData(1.5, true)]
    [InlineData(0.89, false)]
    [InlineData(1.51, false)]
    [InlineData(double.NaN, false)]
    public void Gate_PassesWithinItsBounds_NaNFails(double value, bool passes) =>
        new GateSpec("finetune.ce.score", 0.9, 1.5).Passes(value).Should().Be(passes);

    [Fact]
    public void Gate_WithOneBound_LeavesTheOtherOpen()
    {
        new GateSpec("x", 0.9, null).Passes(1e300).Should().BeTrue();
        new GateSpec("x", null, 0.1).Passes(-1e300).Should().BeTrue();
    }

    private const string EveryFieldManifest = """
        {
          "schema_version": 1,
          "defaults": { "gates": [ { "metric": "finetune.ce.score", "min": 0.9, "max": 1.5 } ] },
          "pairs": [ {
            "name": "every-field", "base": "base", "finetune": "hf:org/ft", "sae": "sae", "hook": "blocks.1.hook_mlp_out",
            "dataset": { "path": "data.npy", "shuffle": false }, "context_size": 32, "n_tokens": 2048, "batch_size": 4,
            "seed": 9, "prepend_bos": false,
            "outliers": { "mode": "median_multiple", "k": 1.35, "calibration_rows": 8 },
            "transfer": { "features": 300, "dead_cap": 20, "density_range": [1e-6, 0.5] },
            "gates": [ { "metric": "finetune.kl.sae", "max": 0.1 } ]
          } ]
        }
        """;

    private static void AssertKeysSorted(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var names = element.EnumerateObject().Select(property => property.Name).ToList();
            names.Should().BeInAscendingOrder(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject()) AssertKeysSorted(property.Value);
        }
        else if (element.ValueKind == JsonValueKind.Array)
            foreach (var item in element.EnumerateArray()) AssertKeysSorted(item);
    }
}
