using SaeAudit.Evaluation.Sampling;
using System.Text.RegularExpressions;
using SaeAudit.Evaluation.Manifests;
using SaeAudit.Testing;

namespace SaeAudit.Evaluation.Tests.Manifests;

/// <summary>The manifest format accepts exactly the pair objects the reference metrics were produced with, and
/// resolves them to the reference parameters (reference README's cases table).</summary>
public class ReferencePairTests
{
    private static readonly string FixturesRoot = Path.GetFullPath(Fixtures.Path());

    public static TheoryData<string> CaseNames => new(ReferencePairs.ByName.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ReferencePair_ResolvesToTheReferenceParameters(string caseName)
    {
        var manifest = Parse(ReferencePairs.ByName[caseName]);

        manifest.Pairs.Should().ContainSingle();
        manifest.Pairs[0].Should().BeEquivalentTo(Expected[caseName]);
    }

    [Fact]
    public void AllReferencePairs_LoadAsOneManifest_InFileOrder()
    {
        var manifest = Parse(ReferencePairs.ByName.Values.ToArray());

        manifest.SchemaVersion.Should().Be(1);
        manifest.Pairs.Select(pair => pair.Name).Should().Equal(ReferencePairs.ByName.Keys);
    }

    [Fact]
    public void EveryPairInTheReferenceReadme_IsOneOfTheCopies()
    {
        // Guards the copies against the README being regenerated with different pairs.
        var readme = File.ReadAllText(Fixtures.Path("gpt2-tiny", "reference", "README.md"));
        var blocks = Regex.Matches(readme, "```json\n(.*?)```", RegexOptions.Singleline).Select(match => match.Groups[1].Value).ToList();

        blocks.Should().HaveCount(ReferencePairs.ByName.Count);
        foreach (var block in blocks)
        {
            var pair = Parse(block).Pairs.Single();
            Parse(ReferencePairs.ByName[pair.Name]).Pairs.Single().Should().BeEquivalentTo(pair);
        }
    }

    /// <summary>Wraps pair objects in a manifest, pointing their "../shared/fixtures/" paths at the fixtures.</summary>
    private static Manifest Parse(params string[] pairs)
    {
        var json = $$"""{ "schema_version": 1, "pairs": [ {{string.Join(",\n", pairs)}} ] }""";
        json = json.Replace(ReferencePairs.FixturesPrefix, FixturesRoot.Replace('\\', '/') + "/");
        return ManifestLoader.Parse(json, Path.Combine(FixturesRoot, "reference-pairs.json"));
    }

    private static readonly Dictionary<string, PairSpec> Expected = new()
    {
        ["light-relu-prose"] = Pair("light-relu-prose", "base", "ft-light", "sae-relu", Jsonl("eval_prose.jsonl"), 16384, 0, OutlierSpec.None),
        ["code-relu-prose"] = Pair("code-relu-prose", "base", "ft-heavy", "sae-relu", Jsonl("eval_prose.jsonl"), 16384, 0,
            new OutlierSpec(OutlierMode.MedianMultiple, null, 3.0, 32)),
        ["code-topk-codeset"] = Pair("code-topk-codeset", "base", "ft-heavy", "sae-topk", Npy("eval_code_tokens.npy", shuffle: false), 8192, 0,
            new OutlierSpec(OutlierMode.MeanMultiple, null, 2.0, 32)),
        ["light-jumprelu-npy"] = Pair("light-jumprelu-npy", "base", "ft-light", "sae-jumprelu", Npy("eval_prose_tokens.npy", shuffle: true), 8192, 7,
            new OutlierSpec(OutlierMode.Absolute, 8.2, null, 32)),
        ["code-bf16-relu"] = Pair("code-bf16-relu", "base-bf16", "ft-heavy-bf16", "sae-relu", Jsonl("eval_prose.jsonl"), 8192, 0, OutlierSpec.None),
        ["code-relu-prose-mm"] = Pair("code-relu-prose-mm", "base", "ft-heavy", "sae-relu", Jsonl("eval_prose.jsonl"), 8192, 0,
            new OutlierSpec(OutlierMode.MedianMultiple, null, 1.35, 32)),
        ["code-topk-sampled"] = Pair("code-topk-sampled", "base", "ft-heavy", "sae-topk", Jsonl("eval_code.jsonl"), 8192, 3, OutlierSpec.None)
            with { Transfer = new TransferSpec(300, 20, 1e-5, 0.1) },
    };

    private static PairSpec Pair(string name, string baseModel, string finetune, string sae, DatasetSpec dataset, long nTokens, ulong seed,
        OutlierSpec outliers) => new()
        {
            Name = name,
            Base = Fixture("models", baseModel),
            Finetune = Fixture("models", finetune),
            Sae = Fixture("saes", sae),
            Hook = null,
            Dataset = dataset,
            ContextSize = 128,
            NTokens = nTokens,
            BatchSize = 16,
            Seed = seed,
            PrependBos = null,
            Outliers = outliers,
            Transfer = new TransferSpec(1000, 1000, 1e-5, 0.1),
            Gates = [],
        };

    private static DatasetSpec Jsonl(string file) => new(Fixture("data", file), DatasetFormat.Jsonl, "text", Shuffle: true);

    private static DatasetSpec Npy(string file, bool shuffle) => new(Fixture("data", file), DatasetFormat.Npy, null, shuffle);

    private static string Fixture(string folder, string name) => Path.Combine(FixturesRoot, "gpt2-tiny", folder, name);
}
