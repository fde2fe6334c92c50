using SaeAudit.Evaluation.Manifests;
using SaeAudit.Evaluation.Results;
using SaeAudit.Evaluation.Tests.Manifests;
using SaeAudit.Tensors;
using SaeAudit.Testing;

namespace SaeAudit.Evaluation.Tests;

/// <summary>SPEC §10: the same inputs give a byte-identical results file whatever the thread count
/// (<c>provenance.run</c>, which records the thread count and the clock, set aside).</summary>
public sealed class ResultsDeterminismTests
{
    [Fact]
    public void Results_json_is_byte_identical_with_1_and_2_threads()
    {
        var folder = Directory.CreateTempSubdirectory("saeaudit-determinism-");
        try
        {
            var pair = ReferencePairs.ByName["code-topk-sampled"].Replace(ReferencePairs.FixturesPrefix, Fixtures.Path("") + "/");
            var manifestPath = Path.Combine(folder.FullName, "manifest.json");
            File.WriteAllText(manifestPath, $$"""{ "schema_version": 1, "pairs": [ {{pair}} ] }""");
            var manifest = ManifestLoader.Load(manifestPath);

            string RunWith(int threads)
            {
                var results = new AuditRunner(new CpuBackend(threads)).Run(manifest);
                results.Provenance.Run.Threads.Should().Be(threads);
                var path = Path.Combine(folder.FullName, $"results-{threads}.json");
                ResultsJson.Write(path, results with { Provenance = results.Provenance with { Run = Fixed } });
                return File.ReadAllText(path);
            }

            var one = RunWith(1);
            var two = RunWith(2);
            two.Should().Be(one);
            one.Should().Contain("\"activation_similarity\"");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static readonly RunInfo Fixed = new(0, "", 0, 0, 0);
}
