using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>HF <c>Gemma2ForCausalLM</c> (eager semantics): Gemma plus RMSNorms after the attention and MLP outputs
/// (sandwich norms), attention scaled by query_pre_attn_scalar^-½ and soft-capped, a sliding window on the even
/// layers, and soft-capped final logits.</summary>
public sealed class Gemma2 : Transformer
{
    private readonly Embedding _embedding;
    private readonly float _embeddingScale;
    private readonly Layer[] _layers;
    private readonly RmsNorm _finalNorm;
    private readonly float? _finalLogitCap;

    private sealed record Layer(
        RmsNorm InputNorm, RotaryAttention Attention, RmsNorm PostAttentionNorm,
        RmsNorm PreFeedforwardNorm, GatedMlp Mlp, RmsNorm PostFeedforwardNorm);

    public Gemma2(ModelConfig config, Checkpoint checkpoint, IComputeBackend backend)
        : base(config, checkpoint, backend)
    {
        RmsNorm Norm(string name) => RmsNorm.Load(checkpoint, name, config, addOneToWeight: true);

        _embedding = LoadEmbedding("model.embed_tokens.weight");
        _embeddingScale = (float)Math.Sqrt(DModel); // as Gemma: the activations' dtype, float32 here
        var rope = new Rope(config.HeadDim, config.HeadDim, config.RopeTheta!.Value);
        var scale = (float)Math.Pow(config.QueryPreAttnScalar!.Value, -0.5);
        var attentionCap = (float?)config.AttnLogitSoftcapping;
        var activation = ActivationFunctions.Parse(config, "hidden_activation");
        _layers = new Layer[config.Layers];
        for (var i = 0; i < _layers.Length; i++)
        {
            var p = $"model.layers.{i}.";
            // transformers 4.42-4.52: layer i is local (sliding) when i is even; configs of that era carry no layer_types.
            var window = i % 2 == 0 ? config.SlidingWindow : null;
            _layers[i] = new Layer(
                Norm(p + "input_layernorm.weight"),
                RotaryAttention.Load(checkpoint, p + "self_attn.", config, rope, scale, window, attentionCap),
                Norm(p + "post_attention_layernorm.weight"),
                Norm(p + "pre_feedforward_layernorm.weight"),
                GatedMlp.Load(checkpoint, p + "mlp.", config, activation, bias: false),
                Norm(p + "post_feedforward_layernorm.weight"));
        }
        _finalNorm = Norm("model.norm.weight");
        _finalLogitCap = (float?)config.FinalLogitSoftcapping;
        Unembedding = LoadUnembedding(_embedding, "lm_head.weight");
    }

    public override string Architecture => "Gemma2ForCausalLM";

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

        // hook_attn_out is what is added to the residual: after post_attention_layernorm (as TransformerLens).
        var h = block.InputNorm.Forward(Backend, residual, workspace, ForwardBuffer.Normed);
        var attention = block.Attention.Forward(Backend, h, tokens, workspace, ForwardBuffer.Branch);
        var attnOut = block.PostAttentionNorm.Forward(Backend, attention, workspace, ForwardBuffer.AttnOut);
        hook?.Invoke(new HookPoint(layer, HookKind.AttnOut), attnOut);
        Backend.Add(residual, attnOut);

        h = block.PreFeedforwardNorm.Forward(Backend, residual, workspace, ForwardBuffer.Normed);
        var mlp = block.Mlp.Forward(Backend, h, workspace, ForwardBuffer.Branch);
        var mlpOut = block.PostFeedforwardNorm.Forward(Backend, mlp, workspace, ForwardBuffer.MlpOut);
        hook?.Invoke(new HookPoint(layer, HookKind.MlpOut), mlpOut);
        Backend.Add(residual, mlpOut);
    }

    public override void Unembed(Tensor residual, Tensor logits, Workspace<ForwardBuffer> workspace)
    {
        Backend.MatMul(_finalNorm.Forward(Backend, residual, workspace, ForwardBuffer.FinalNormed), Unembedding, logits, transposeB: true);
        if (_finalLogitCap is { } cap) Backend.SoftCap(logits, cap);
    }
}
