using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>Self-attention with rotary positions, shared by Llama, Mistral, Gemma, Gemma-2 and GPT-NeoX: q, k, v
/// projections, RoPE on q and k, causal attention in the backend (grouped-query heads, optionally a sliding window
/// and logit soft-capping), heads concatenated in order and projected by the output projection.</summary>
internal sealed class RotaryAttention(
    Linear query, Linear key, Linear value, Linear output, Rope rope,
    int heads, int kvHeads, int headDim, float scale, int? slidingWindow, float? softCap)
{
    /// <summary>HF Llama-family names <c>{prefix}q_proj</c>, <c>k_proj</c>, <c>v_proj</c>, <c>o_proj</c> (.weight, and
    /// .bias when the config's <c>attention_bias</c> is true).</summary>
    public static RotaryAttention Load(
        Checkpoint checkpoint, string prefix, ModelConfig config, Rope rope, float scale, int? slidingWindow, float? softCap)
    {
        int d = config.HiddenSize, heads = config.Heads, kvHeads = config.KvHeads, headDim = config.HeadDim;
        var bias = config.GetBool("attention_bias", false);
        Linear Load(string name, int outFeatures, int inFeatures) => Linear.Torch(
            checkpoint.LoadFloat32(prefix + name + ".weight", outFeatures, inFeatures),
            bias ? checkpoint.LoadFloat32(prefix + name + ".bias", outFeatures) : null);
        return new RotaryAttention(
            Load("q_proj", heads * headDim, d), Load("k_proj", kvHeads * headDim, d), Load("v_proj", kvHeads * headDim, d),
            Load("o_proj", d, heads * headDim), rope, heads, kvHeads, headDim, scale, slidingWindow, softCap);
    }

    /// <summary>The attention branch for the normed residual <paramref name="x"/> [tokens, d]: o_proj(attention).</summary>
    public Tensor Forward(IComputeBackend backend, Tensor x, TokenBatch tokens)
    {
        var q = query.Forward(backend, x);
        var k = key.Forward(backend, x);
        var v = value.Forward(backend, x);
        rope.Apply(q, tokens);
        rope.Apply(k, tokens);
        var attention = Tensor.Zeros(x.Rows, heads * headDim);
        backend.CausalSelfAttention(q, k, v, attention,
            new AttentionOptions(tokens.Batch, tokens.Sequence, heads, kvHeads, headDim, scale)
            {
                SlidingWindow = slidingWindow,
                SoftCap = softCap,
            });
        return output.Forward(backend, attention);
    }
}
