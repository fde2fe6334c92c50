namespace SaeAudit.Tensors;

/// <summary>The operations model code runs. <see cref="CpuBackend"/> implements them on this CPU; the seam exists
/// so an accelerator backend can be added without touching the architectures.
/// Every operation is deterministic: the result does not depend on the thread count.</summary>
public interface IComputeBackend
{
    string Name { get; }

    /// <summary>Worker threads the backend uses (1 = the calling thread only).</summary>
    int Threads { get; }

    /// <summary>c[m,n] = a[m,k] · B (+ bias[n]), with B = b[k,n], or B = bᵀ when <paramref name="transposeB"/>
    /// (b[n,k], the nn.Linear / unembedding layout). a and c are viewed as 2-D by their last dimension.</summary>
    void MatMul(Tensor a, Tensor b, Tensor c, bool transposeB = false, Tensor? bias = null);

    /// <summary>As <see cref="MatMul(Tensor, Tensor, Tensor, bool, Tensor?)"/> with B a weight matrix, which may be
    /// BF16/F16 or a view of memory-mapped checkpoint data: it is read where it lies and widened exactly, so the result
    /// is bit-identical to multiplying by its float32 copy.</summary>
    void MatMul(Tensor a, WeightMatrix b, Tensor c, bool transposeB = false, Tensor? bias = null);

    /// <summary>Row-wise LayerNorm over the last dimension: (x - mean) / sqrt(var + eps) * weight + bias
    /// (biased variance, as torch). <paramref name="output"/> may be <paramref name="x"/>.</summary>
    void LayerNorm(Tensor x, Tensor weight, Tensor? bias, float eps, Tensor output);

    /// <summary>Row-wise RMSNorm: x / sqrt(mean(x²) + eps) * (weight, or 1 + weight when <paramref name="addOneToWeight"/>,
    /// as Gemma). <paramref name="output"/> may be <paramref name="x"/>.</summary>
    void RmsNorm(Tensor x, Tensor weight, float eps, bool addOneToWeight, Tensor output);

    /// <summary>In place: x = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (HF gelu_new / gelu_pytorch_tanh).</summary>
    void GeluTanh(Tensor x);

    /// <summary>In place: x = 0.5·x·(1 + erf(x/√2)) (HF gelu, torch's exact GELU).</summary>
    void GeluErf(Tensor x);

    /// <summary>In place: x = x·sigmoid(x) (SiLU).</summary>
    void Silu(Tensor x);

    /// <summary>In place: x = cap·tanh(x / cap) (Gemma-2's final logit soft-capping); <paramref name="cap"/> &gt; 0.</summary>
    void SoftCap(Tensor x, float cap);

    /// <summary>In place: x += y (same length).</summary>
    void Add(Tensor x, Tensor y);

    /// <summary>In place: x *= y elementwise (same length).</summary>
    void Multiply(Tensor x, Tensor y);

    /// <summary>Causal multi-head self-attention for a batch of equal-length sequences.
    /// q: [batch·seq, heads·headDim]; k, v: [batch·seq, kvHeads·headDim] (grouped-query when kvHeads &lt; heads);
    /// output: [batch·seq, heads·headDim]. Scores = q·kᵀ·scale, optionally soft-capped (cap·tanh(s/cap)),
    /// masked causally and, when <see cref="AttentionOptions.SlidingWindow"/> is set, to the last window positions;
    /// softmax in float32; output = probabilities·v.</summary>
    void CausalSelfAttention(Tensor q, Tensor k, Tensor v, Tensor output, AttentionOptions options);
}

/// <summary>Shape and masking of one <see cref="IComputeBackend.CausalSelfAttention"/> call.</summary>
public sealed record AttentionOptions(int Batch, int Sequence, int Heads, int KvHeads, int HeadDim, float Scale)
{
    /// <summary>Keys further back than this many positions (query i sees keys i-window+1..i) are masked; null = none.</summary>
    public int? SlidingWindow { get; init; }

    /// <summary>Attention-logit soft-capping (Gemma-2); null = none.</summary>
    public float? SoftCap { get; init; }
}
