namespace SaeAudit.Models.Architectures;

/// <summary>The temporaries of a forward pass, as slots of a <see cref="SaeAudit.Tensors.Workspace{TSlot}"/> that is
/// reused across layers, calls and batches (so a batch in steady state allocates no activations). Each holds
/// [tokens, width]; a layer overwrites what the previous one left.</summary>
public enum ForwardBuffer
{
    /// <summary>GPT-2's position embeddings of one sequence [sequence, d].</summary>
    Positions,

    /// <summary>A norm's output: the attention input, then the MLP input.</summary>
    Normed,

    Query,
    Key,
    Value,

    /// <summary>GPT-NeoX's fused query_key_value output, before it is split into q, k, v.</summary>
    QueryKeyValue,

    /// <summary>The attention heads concatenated, before the output projection.</summary>
    Attention,

    /// <summary>A branch before Gemma-2's post-norm (the attention or MLP output it normalizes).</summary>
    Branch,

    /// <summary>What the attention branch adds to the residual (hook_attn_out).</summary>
    AttnOut,

    /// <summary>The MLP's inner activations (the gate's, for a gated MLP).</summary>
    Hidden,

    /// <summary>A gated MLP's up projection.</summary>
    Up,

    /// <summary>What the MLP branch adds to the residual (hook_mlp_out).</summary>
    MlpOut,

    /// <summary>The residual stream of a hooked block rerun or run to its branch hook.</summary>
    Residual,

    /// <summary>Rows of the final residual taken out for a chunk of logits.</summary>
    ResidualRows,

    /// <summary>The final norm's output for the unembedding.</summary>
    FinalNormed,
}
