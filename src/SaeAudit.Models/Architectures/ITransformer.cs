using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>Called with a block's attention or MLP branch output [tokens, d] before it is added to the residual;
/// it may read it or overwrite it in place.</summary>
public delegate void BranchHook(HookPoint hook, Tensor branchOutput);

/// <summary>One decoder-only architecture, split at the places hooks need: the embedding, each block, the head.
/// The residual stream is a [batch·sequence, d_model] tensor that <see cref="Block"/> updates in place; every other
/// activation lives in the caller's workspace, which a call may use only for its duration.</summary>
public interface ITransformer
{
    /// <summary>HF architecture name, e.g. <c>GPT2LMHeadModel</c>.</summary>
    string Architecture { get; }

    ModelConfig Config { get; }

    Checkpoint Checkpoint { get; }

    int Layers { get; }

    int DModel { get; }

    int VocabSize { get; }

    /// <summary>Token (and position) embedding into <paramref name="residual"/> [tokens, d].</summary>
    void Embed(TokenBatch tokens, Tensor residual, Workspace<ForwardBuffer> workspace);

    /// <summary>Block <paramref name="layer"/>: residual += attention(…); residual += mlp(…), calling
    /// <paramref name="hook"/> on each branch output first.</summary>
    void Block(int layer, Tensor residual, TokenBatch tokens, BranchHook? hook, Workspace<ForwardBuffer> workspace);

    /// <summary>Final norm and unembedding of rows of the final residual [rows, d] (left unchanged) into logits
    /// [rows, vocab]. Each row's logits depend on that row alone, bit for bit, so logits can be made in row chunks.</summary>
    void Unembed(Tensor residual, Tensor logits, Workspace<ForwardBuffer> workspace);

    /// <summary>The gain the final norm multiplies by, as applied (w, or 1 + w for Gemma) [d] (SPEC §6).</summary>
    Tensor FinalNormGain { get; }

    /// <summary>The unembedding matrix W_U [vocab, d] as stored (SPEC §6).</summary>
    WeightMatrix Unembedding { get; }
}
