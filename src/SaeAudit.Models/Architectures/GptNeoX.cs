using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>HF <c>GPTNeoXForCausalLM</c> (Pythia): LayerNorm with bias, a fused query_key_value projection laid out per
/// head, rotary positions on the first <c>rotary_pct</c> of each head, a GELU MLP, parallel residual
/// (x + attn(ln1(x)) + mlp(ln2(x))) unless <c>use_parallel_residual</c> is false, untied embed_out.</summary>
public sealed class GptNeoX : Transformer
{
    private readonly Embedding _embedding;
    private readonly Layer[] _layers;
    private readonly LayerNorm _finalNorm;
    private readonly bool _parallelResidual;

    private sealed record Layer(
        LayerNorm InputNorm, RotaryAttention Attention, LayerNorm PostAttentionNorm, Mlp Mlp);

    public GptNeoX(ModelConfig config, Checkpoint checkpoint, IComputeBackend backend)
        : base(config, checkpoint, backend)
    {
        int d = config.HiddenSize, inner = config.IntermediateSize;
        int heads = config.Heads, headDim = config.HeadDim;
        var eps = (float)config.NormEps;
        Tensor Load(string name, params int[] shape) => checkpoint.LoadFloat32(name, shape);
        LayerNorm Norm(string prefix) => new(Load(prefix + ".weight", d), Load(prefix + ".bias", d), eps);
        Linear Dense(string prefix, int outFeatures, int inFeatures, bool bias = true) => Linear.Torch(
            checkpoint.LoadWeights(prefix + ".weight", outFeatures, inFeatures), bias ? Load(prefix + ".bias", outFeatures) : null);

        _embedding = LoadEmbedding("gpt_neox.embed_in.weight");
        // int(head_size * rotary_pct), as HF truncates it.
        var rotaryDim = (int)(headDim * config.RotaryPct!.Value);
        if (rotaryDim % 2 != 0)
            throw InvalidInputException.For(config.Path, "rotary_pct",
                $"{config.RotaryPct} gives an odd rotary width {rotaryDim} of head_dim {headDim}");
        var rope = new Rope(headDim, rotaryDim, config.RopeTheta!.Value);
        var scale = (float)(1 / Math.Sqrt(headDim));
        var attentionBias = config.GetBool("attention_bias", true);
        var activation = ActivationFunctions.Parse(config, "hidden_act");
        _layers = new Layer[config.Layers];
        for (var i = 0; i < _layers.Length; i++)
        {
            var p = $"gpt_neox.layers.{i}.";
            var projection = new FusedQkvPerHead(Dense(p + "attention.query_key_value", 3 * d, d, attentionBias), heads, headDim);
            var attention = new RotaryAttention(projection, Dense(p + "attention.dense", d, d, attentionBias),
                rope, heads, heads, headDim, scale, slidingWindow: null, softCap: null);
            _layers[i] = new Layer(
                Norm(p + "input_layernorm"), attention, Norm(p + "post_attention_layernorm"),
                new Mlp(Dense(p + "mlp.dense_h_to_4h", inner, d), Dense(p + "mlp.dense_4h_to_h", d, inner), activation));
        }
        _finalNorm = Norm("gpt_neox.final_layer_norm");
        _parallelResidual = config.UseParallelResidual;
        Unembedding = LoadUnembedding(_embedding, "embed_out.weight");
    }

    public override string Architecture => "GPTNeoXForCausalLM";

    public override Tensor FinalNormGain => _finalNorm.Weight;

    public override WeightMatrix Unembedding { get; }

    public override void Embed(TokenBatch tokens, Tensor residual, Workspace<ForwardBuffer> workspace) => _embedding.Lookup(tokens, residual);

    public override void Block(int layer, Tensor residual, TokenBatch tokens, BranchHook? hook, Workspace<ForwardBuffer> workspace)
    {
        var block = _layers[layer];

        var h = block.InputNorm.Forward(Backend, residual, workspace, ForwardBuffer.Normed);
        var attnOut = block.Attention.Forward(Backend, h, tokens, workspace, ForwardBuffer.AttnOut);
        hook?.Invoke(new HookPoint(layer, HookKind.AttnOut), attnOut);

        if (_parallelResidual)
        {
            // Both branches read x; HF sums mlp_out + attn_out + x in that order.
            h = block.PostAttentionNorm.Forward(Backend, residual, workspace, ForwardBuffer.Normed);
            var mlpOut = block.Mlp.Forward(Backend, h, workspace, ForwardBuffer.MlpOut);
            hook?.Invoke(new HookPoint(layer, HookKind.MlpOut), mlpOut);
            Backend.Add(mlpOut, attnOut);
            Backend.Add(residual, mlpOut);
        }
        else
        {
            Backend.Add(residual, attnOut);
            h = block.PostAttentionNorm.Forward(Backend, residual, workspace, ForwardBuffer.Normed);
            var mlpOut = block.Mlp.Forward(Backend, h, workspace, ForwardBuffer.MlpOut);
            hook?.Invoke(new HookPoint(layer, HookKind.MlpOut), mlpOut);
            Backend.Add(residual, mlpOut);
        }
    }

    public override void Unembed(Tensor residual, Tensor logits, Workspace<ForwardBuffer> workspace) =>
        Backend.MatMul(_finalNorm.Forward(Backend, residual, workspace, ForwardBuffer.FinalNormed), Unembedding, logits, transposeB: true);

    /// <summary>query_key_value [3·d, d] as stored, whose output columns are laid out per head as [heads, 3, head_dim]
    /// (q_h, k_h, v_h one after another, not all q then all k): one GEMM, then each head's q, k and v columns are copied
    /// out. Every output element is the same dot product as with separate q, k, v weights, so nothing changes.</summary>
    private sealed class FusedQkvPerHead(Linear fused, int heads, int headDim) : IQkvProjection
    {
        public (Tensor Query, Tensor Key, Tensor Value) Forward(IComputeBackend backend, Tensor x, Workspace<ForwardBuffer> workspace)
        {
            var qkv = fused.Forward(backend, x, workspace, ForwardBuffer.QueryKeyValue);
            int width = heads * headDim;
            var q = workspace.Get(ForwardBuffer.Query, x.Rows, width);
            var k = workspace.Get(ForwardBuffer.Key, x.Rows, width);
            var v = workspace.Get(ForwardBuffer.Value, x.Rows, width);
            for (var row = 0; row < x.Rows; row++)
            for (var head = 0; head < heads; head++)
            {
                var fusedHead = qkv.Row(row).Slice(head * 3 * headDim, 3 * headDim);
                fusedHead[..headDim].CopyTo(q.Row(row).Slice(head * headDim, headDim));
                fusedHead.Slice(headDim, headDim).CopyTo(k.Row(row).Slice(head * headDim, headDim));
                fusedHead[(2 * headDim)..].CopyTo(v.Row(row).Slice(head * headDim, headDim));
            }
            return (q, k, v);
        }
    }
}
