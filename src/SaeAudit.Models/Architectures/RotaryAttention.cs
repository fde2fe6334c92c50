using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>Self-attention with rotary positions, shared by Llama, Mistral, Gemma, Gemma-2 and GPT-NeoX: q, k, v
/// projections, RoPE on q and k, causal attention in the backend (grouped-query heads, optionally a sliding window
/// and logit soft-capping), heads concatenated in order and projected by the output projection.</summary>
internal sealed class RotaryAttention(
    IQkvProjection projection, Linear output, Rope rope,
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
            checkpoint.LoadWeights(prefix + name + ".weight", outFeatures, inFeatures),
            bias ? checkpoint.LoadFloat32(prefix + name + ".bias", outFeatures) : null);
        var projection = new SeparateQkv(Load("q_proj", heads * headDim, d), Load("k_proj", kvHeads * headDim, d), Load("v_proj", kvHeads * headDim, d));
        return new RotaryAttention(projection, Load("o_proj", d, heads * headDim), rope, heads, kvHeads, headDim, scale, slidingWindow, softCap);
    }

    /// <summary>The attention branch for the normed residual <paramref name="x"/> [tokens, d]: o_proj(attention),
    /// written into <paramref name="outputSlot"/>.</summary>
    public Tensor Forward(IComputeBackend backend, Tensor x, TokenBatch tokens, Workspace<ForwardBuffer> workspace, ForwardBuffer outputSlot)
    {
        var (q, k, v) = projection.Forward(backend, x, workspace);
        rope.Apply(q, tokens);
        rope.Apply(k, tokens);
        var attention = workspace.Get(ForwardBuffer.Attention, x.Rows, heads * headDim);
        backend.CausalSelfAttention(q, k, v, attention,
            new AttentionOptions(tokens.Batch, tokens.Sequence, heads, kvHeads, headDim, scale)
            {
                SlidingWindow = slidingWindow,
                SoftCap = softCap,
            });
        return output.Forward(backend, attention, workspace, outputSlot);
    }
}

/// <summary>The q, k, v projections of a <see cref="RotaryAttention"/>.</summary>
internal interface IQkvProjection
{
    /// <summary>q [tokens, heads·head_dim], k and v [tokens, kv_heads·head_dim] of x, in their workspace slots.</summary>
    (Tensor Query, Tensor Key, Tensor Value) Forward(IComputeBackend backend, Tensor x, Workspace<ForwardBuffer> workspace);
}

/// <summary>Three projections, as the Llama family stores them (q_proj, k_proj, v_proj).</summary>
internal sealed class SeparateQkv(Linear query, Linear key, Linear value) : IQkvProjection
{
    public (Tensor Query, Tensor Key, Tensor Value) Forward(IComputeBackend backend, Tensor x, Workspace<ForwardBuffer> workspace) =>
        (query.Forward(backend, x, workspace, ForwardBuffer.Query),
         key.Forward(backend, x, workspace, ForwardBuffer.Key),
         value.Forward(backend, x, workspace, ForwardBuffer.Value));
}
