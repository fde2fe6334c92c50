using SaeAudit.Tensors;

namespace SaeAudit.Tensors.Tests;

public class AttentionTests
{
    /// <summary>Float64 attention straight from the definition.</summary>
    private static double[] Reference(Tensor q, Tensor k, Tensor v, AttentionOptions o)
    {
        int d = o.HeadDim, qWidth = o.Heads * d, kvWidth = o.KvHeads * d;
        var output = new double[q.Data.Length];
        for (int b = 0; b < o.Batch; b++)
            for (int h = 0; h < o.Heads; h++)
            {
                int g = h / (o.Heads / o.KvHeads);
                for (int i = 0; i < o.Sequence; i++)
                {
                    var weights = new double[o.Sequence];
                    double max = double.NegativeInfinity;
                    for (int j = 0; j <= i; j++)
                    {
                        if (o.SlidingWindow is int w && j <= i - w) continue;
                        double s = 0;
                        for (int x = 0; x < d; x++)
                            s += (double)q.Data[(b * o.Sequence + i) * qWidth + h * d + x] * k.Data[(b * o.Sequence + j) * kvWidth + g * d + x];
                        s *= o.Scale;
                        if (o.SoftCap is float cap) s = cap * Math.Tanh(s / cap);
                        weights[j] = s;
                        max = Math.Max(max, s);
                    }
                    double total = 0;
                    for (int j = 0; j <= i; j++)
                    {
                        bool masked = o.SlidingWindow is int w && j <= i - w;
                        weights[j] = masked ? 0 : Math.Exp(weights[j] - max);
                        total += weights[j];
                    }
                    for (int x = 0; x < d; x++)
                    {
                        double sum = 0;
                        for (int j = 0; j <= i; j++) sum += weights[j] / total * v.Data[(b * o.Sequence + j) * kvWidth + g * d + x];
                        output[(b * o.Sequence + i) * qWidth + h * d + x] = sum;
                    }
                }
            }
        return output;
    }

    private static (Tensor Q, Tensor K, Tensor V) Inputs(AttentionOptions o, int seed, float scale = 1f) => (
        TestData.Random(seed, scale, o.Batch * o.Sequence, o.Heads * o.HeadDim),
        TestData.Random(seed + 1, scale, o.Batch * o.Sequence, o.KvHeads * o.HeadDim),
        TestData.Random(seed + 2, 1f, o.Batch * o.Sequence, o.KvHeads * o.HeadDim));

    private static Tensor Run(CpuBackend backend, Tensor q, Tensor k, Tensor v, AttentionOptions o)
    {
        var output = TestData.Random(7, 1e6f, q.Shape); // garbage that must be overwritten
        backend.CausalSelfAttention(q, k, v, output, o);
        return output;
    }

    public static TheoryData<AttentionOptions> Cases() => new()
    {
        new AttentionOptions(1, 1, 1, 1, 8, 0.35f),
        new AttentionOptions(2, 37, 4, 4, 16, 0.25f),
        new AttentionOptions(2, 70, 4, 2, 16, 0.25f),                                  // GQA, two query blocks
        new AttentionOptions(2, 150, 4, 2, 24, 0.2f) { SlidingWindow = 50 },          // window smaller than a block span
        new AttentionOptions(1, 130, 4, 1, 32, 0.18f) { SlidingWindow = 1 },          // each query sees itself only
        new AttentionOptions(2, 90, 4, 2, 16, 0.25f) { SoftCap = 2.5f },
        new AttentionOptions(2, 140, 4, 2, 40, 0.6f) { SoftCap = 5f, SlidingWindow = 70 },
        new AttentionOptions(1, 500, 2, 1, 40, 0.2f) { SlidingWindow = 60 },          // keys from a later KC block
        new AttentionOptions(1, 500, 2, 2, 12, 0.3f),                                 // P·V over two KC blocks of keys
        new AttentionOptions(1, 80, 2, 1, 260, 0.06f),                                // Q·Kᵀ over two KC blocks of depth
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesFloat64Reference(AttentionOptions o)
    {
        var (q, k, v) = Inputs(o, 100, 2f);
        var output = Run(new CpuBackend(2), q, k, v, o);
        var expected = Reference(q, k, v, o);
        // Outputs are convex combinations of v ∈ [-1, 1]; float32 scores and exp keep them within ~1e-6.
        for (int e = 0; e < expected.Length; e++)
            Math.Abs(output.Data[e] - expected[e]).Should().BeLessThan(1e-5, $"element {e} of {o}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void IsBitIdenticalForAnyThreadCount(AttentionOptions o)
    {
        var (q, k, v) = Inputs(o, 200, 2f);
        var single = Run(new CpuBackend(1), q, k, v, o);
        foreach (int threads in new[] { 2, 3, 4 })
            TestData.ShouldBeBitIdentical(Run(new CpuBackend(threads), q, k, v, o), single, $"with {threads} threads");
    }

    [Fact]
    public void MaskedKeysHaveExactlyZeroWeight()
    {
        // Changing keys and values a query may not see (later ones; ones out of the window) leaves its output's bits alone.
        var o = new AttentionOptions(1, 100, 2, 1, 16, 0.25f) { SlidingWindow = 20 };
        var (q, k, v) = Inputs(o, 300, 2f);
        var before = Run(new CpuBackend(2), q, k, v, o);
        const int query = 60;
        int width = o.KvHeads * o.HeadDim;
        var k2 = TestData.Copy(k);
        var v2 = TestData.Copy(v);
        for (int j = 0; j < o.Sequence; j++)
        {
            if (j > query - o.SlidingWindow!.Value && j <= query) continue;
            for (int x = 0; x < width; x++)
            {
                k2.Data[j * width + x] = 1000f + j;
                v2.Data[j * width + x] = -500f - x;
            }
        }
        var after = Run(new CpuBackend(2), q, k2, v2, o);
        TestData.ShouldBeBitIdentical(new Tensor(after.Row(query).ToArray(), 1, after.Columns),
            new Tensor(before.Row(query).ToArray(), 1, before.Columns), "hidden keys changed");
    }

    [Fact]
    public void RejectsInconsistentShapes()
    {
        var backend = new CpuBackend(1);
        var o = new AttentionOptions(1, 4, 4, 2, 8, 1f);
        var (q, k, v) = Inputs(o, 1);
        FluentActions.Invoking(() => backend.CausalSelfAttention(q, q, v, Tensor.Zeros(4, 32), o)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => backend.CausalSelfAttention(q, k, v, Tensor.Zeros(4, 32), o with { KvHeads = 3 })).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => backend.CausalSelfAttention(q, k, v, Tensor.Zeros(4, 32), o with { SlidingWindow = 0 })).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => backend.CausalSelfAttention(q, k, v, q, o)).Should().Throw<ArgumentException>();
    }
}
