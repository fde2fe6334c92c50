using SaeAudit.Evaluation.Sampling;
using SaeAudit.Evaluation.Manifests;
using SaeAudit.Models;
using SaeAudit.Testing;

namespace SaeAudit.Evaluation.Tests.Manifests;

public sealed class ManifestTemplateTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("saeaudit-init-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string Sample(params string[] parts) => Path.Combine([Fixtures.RepoRoot, "samples", "gpt2-tiny", .. parts]);

    [Fact]
    public void Starter_AtTheRepositoryRoot_LoadsTheBundledDemo()
    {
        var manifest = ManifestLoader.Parse(ManifestTemplate.Starter(), Path.Combine(Fixtures.RepoRoot, "saeaudit.json"));

        manifest.Pairs.Select(pair => (pair.Name, pair.Finetune)).Should().Equal(
            ("light", Sample("ft-light")), ("heavy", Sample("ft-heavy")));
        manifest.Pairs.Should().AllSatisfy(pair =>
        {
            pair.Base.Should().Be(Sample("base"));
            pair.Sae.Should().Be(Sample("saes", "sae-relu"));
            pair.Dataset.Should().Be(new DatasetSpec(Sample("data", "eval_prose.jsonl"), DatasetFormat.Jsonl, "text", Shuffle: true));
            pair.NTokens.Should().Be(16384);
            pair.Gates.Select(gate => gate.Metric).Should().Equal("finetune.ce.score", "transfer.activation_similarity.mean");
        });
    }

    [Fact]
    public void Starter_MentionsEveryPairField()
    {
        var starter = ManifestTemplate.Starter();

        foreach (var field in ManifestFields.ForPair.Concat(ManifestFields.ForDataset).Concat(ManifestFields.ForOutliers)
                     .Concat(ManifestFields.ForTransfer).Concat(ManifestFields.ForGate))
            starter.Should().Contain($"\"{field}\"", "the starter explains every field");
    }

    [Fact]
    public void WriteNew_MakesTheDemoPathsRelativeToTheNewFile()
    {
        var path = Path.Combine(_temp, "nested", "manifest.json");

        ManifestTemplate.WriteNew(path, Sample());

        File.ReadAllText(path).Should().NotContain($"\"{Fixtures.RepoRoot}", "paths are written relative to the manifest");
        var manifest = ManifestLoader.Load(path);
        manifest.Pairs.Should().HaveCount(2);
        manifest.Pairs[0].Base.Should().Be(Sample("base"));
    }

    [Fact]
    public void WriteNew_NeverOverwrites()
    {
        var path = Path.Combine(_temp, "manifest.json");
        File.WriteAllText(path, "mine");

        FluentActions.Invoking(() => ManifestTemplate.WriteNew(path, Sample())).Should().Throw<InvalidInputException>()
            .WithMessage($"{path}: already exists*");
        File.ReadAllText(path).Should().Be("mine");
    }
}
