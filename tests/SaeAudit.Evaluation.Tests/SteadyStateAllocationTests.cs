using SaeAudit.Evaluation.Manifests;
using SaeAudit.Evaluation.Tests.Manifests;
using SaeAudit.Tensors;
using SaeAudit.Testing;
using Xunit.Abstractions;

namespace SaeAudit.Evaluation.Tests;

/// <summary>Tests that measure the process's allocations run in this collection, which xunit runs alone after the
/// parallel ones, so no other test's allocations are counted.</summary>
[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public sealed class AllocationCollection;

/// <summary>Once warmed up, a batch of the audit allocates almost nothing: activations, q/k/v, MLP hidden states,
/// SAE features and logits live in buffers reused from batch to batch. Measured in bytes (all threads), not time.</summary>
[Collection(nameof(AllocationCollection))]
public sealed class SteadyStateAllocationTests(ITestOutputHelper output)
{
    private const long BytesPerBatch = 1 << 20;

    [Fact]
    public void A_batch_of_the_gpt2_tiny_audit_allocates_under_1_MB_in_steady_state()
    {
        var json = ReferencePairs.ByName["light-relu-prose"].Replace(ReferencePairs.FixturesPrefix, Fixtures.Path("") + "/");
        var manifest = ManifestLoader.Parse($$"""{ "schema_version": 1, "pairs": [ {{json}} ] }""",
            Path.Combine(Fixtures.RepoRoot, "allocation-case.json"));
        var probe = new AllocationProbe();
        new AuditRunner(new CpuBackend(2), probe).RunPair(manifest.Pairs[0]);

        // Batch i ends at progress call i. Batch 0 (with the calibration before it) warms up the buffers; a shorter
        // last batch has new shapes, so only the full-size batches after the first are steady state.
        var batches = probe.Batches;
        var perBatch = Enumerable.Range(1, batches.Count - 1)
            .Where(i => batches[i].Tokens == batches[0].Tokens)
            .Select(i => batches[i].Allocated - batches[i - 1].Allocated)
            .ToArray();
        output.WriteLine($"bytes allocated by each full batch after the first: {string.Join(", ", perBatch)}");
        perBatch.Should().HaveCountGreaterThanOrEqualTo(5);
        perBatch.Should().OnlyContain(bytes => bytes < BytesPerBatch);
    }

    private sealed class AllocationProbe : IAuditProgress
    {
        public List<(long Tokens, long Allocated)> Batches { get; } = [];

        public void PairStarted(string pair, long totalTokens)
        {
        }

        public void Advanced(string pair, long tokens) => Batches.Add((tokens, GC.GetTotalAllocatedBytes(precise: true)));

        public void PairFinished(string pair)
        {
        }
    }
}
