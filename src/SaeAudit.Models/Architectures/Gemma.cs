using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>HF <c>GemmaForCausalLM</c>: Llama's layout with embeddings scaled by √d, RMSNorms that multiply by 1 + w,
/// a GeGLU MLP (tanh GELU), head_dim independent of d / heads, and the unembedding tied to the embedding.</summary>
public sealed class Gemma : Transformer
{
    private readonly Embedding _embedding;
    private readonly float _embeddingScale;
    private readonly Layer[] _layers;
    private readonly RmsNorm _finalNorm;

    private sealed record Layer(RmsNorm InputNorm, RotaryAttention Attention, RmsNorm PostAttentionNorm, GatedMlp Mlp);

    public Gemma(ModelConfig config, Checkpoint checkpoint, IComputeBackend backend)
        : base(config, checkpoint, backend)
    {
        RmsNorm Norm(string name) => RmsNorm.Load(checkpoint, name, config, addOneToWeight: true);

        _embedding = LoadEmbedding("model.embed_tokens.weight");
        // HF: hidden_size**0.5 as a tensor of the activations' dtype — float32 here, since this engine computes in float32.
        _embeddingScale = (float)Math.Sqrt(DModel);
        var rope = new Rope(config.HeadDim, config.HeadDim, config.RopeTheta!.Value);
        var scale = (float)(1 / Math.Sqrt(config.HeadDim));
        var activation = ActivationFunctions.Parse(config, "hidden_activation");
        _layers = new Layer[config.Layers];
        for (var i = 0; i < _layers.Length; i++)
        {
            var p = $"model.layers.{i}.";
            _layers[i] = new Layer(
                Norm(p + "input_layernorm.weight"),
                RotaryAttention.Load(checkpoint, p + "self_attn.", config, rope, scale, slidingWindow: null, softCap: null),
                Norm(p + "post_attention_layernorm.weight"),
                GatedMlp.Load(checkpoint, p + "mlp.", config, activation, bias: false));
        }
        _finalNorm = Norm("model.norm.weight");
        Unembedding = LoadUnembedding(_embedding, "lm_head.weight");
    }

    public override string Architecture => "GemmaForCausalLM";

    public override Tensor FinalNormGain => _finalNorm.Gain;

    public override WeightMatrix Unembedding { get; }

    public override void Embed(TokenBatch tokens, Tensor residual, Workspace<ForwardBuffer> workspace)
    {
        _embedding.Lookup(tokens, residual);
        System.Numerics.Tensors.TensorPrimitives.Multiply(residual.Data, _embeddingScale, residual.Data);
    }

    public override void Block(int layer, Tensor residual, TokenBatch tokens, BranchHook? hook, Workspace<ForwardBuffer> workspace)
    {
        var block = _layers[layer];

        var h = block.InputNorm.Forward(Backend, residual, workspace, ForwardBuffer.Normed);
        var attnOut = block.Attention.Forward(Backend, h, tokens, workspace, ForwardBuffer.AttnOut);
        hook?.Invoke(new HookPoint(layer, HookKind.AttnOut), attnOut);
        Backend.Add(residual, attnOut);

        h = block.PostAttentionNorm.Forward(Backend, residual, workspace, ForwardBuffer.Normed);
        var mlpOut = block.Mlp.Forward(Backend, h, workspace, ForwardBuffer.MlpOut);
        hook?.Invoke(new HookPoint(layer, HookKind.MlpOut), mlpOut);
        Backend.Add(residual, mlpOut);
    }

    public override void Unembed(Tensor residual, Tensor logits, Workspace<ForwardBuffer> workspace) =>
        Backend.MatMul(_finalNorm.Forward(Backend, residual, workspace, ForwardBuffer.FinalNormed), Unembedding, logits, transposeB: true);
}
