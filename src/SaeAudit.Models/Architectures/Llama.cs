using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>HF <c>LlamaForCausalLM</c>, and <c>MistralForCausalLM</c>, which has the same parameters and only adds a
/// sliding window (<c>sliding_window</c>, every layer): pre-RMSNorm blocks, RoPE attention with grouped-query heads,
/// SwiGLU MLP, final RMSNorm, lm_head (or the embedding, when tied).</summary>
public sealed class Llama : Transformer
{
    private readonly Embedding _embedding;
    private readonly Layer[] _layers;
    private readonly RmsNorm _finalNorm;

    private sealed record Layer(RmsNorm InputNorm, RotaryAttention Attention, RmsNorm PostAttentionNorm, GatedMlp Mlp);

    public Llama(ModelConfig config, Checkpoint checkpoint, IComputeBackend backend)
        : base(config, checkpoint, backend)
    {
        RmsNorm Norm(string name) => RmsNorm.Load(checkpoint, name, config, addOneToWeight: false);

        _embedding = LoadEmbedding("model.embed_tokens.weight");
        var rope = new Rope(config.HeadDim, config.HeadDim, config.RopeTheta!.Value);
        var scale = (float)(1 / Math.Sqrt(config.HeadDim));
        var activation = ActivationFunctions.Parse(config, "hidden_act");
        var mlpBias = config.GetBool("mlp_bias", false);
        _layers = new Layer[config.Layers];
        for (var i = 0; i < _layers.Length; i++)
        {
            var p = $"model.layers.{i}.";
            _layers[i] = new Layer(
                Norm(p + "input_layernorm.weight"),
                RotaryAttention.Load(checkpoint, p + "self_attn.", config, rope, scale, config.SlidingWindow, softCap: null),
                Norm(p + "post_attention_layernorm.weight"),
                GatedMlp.Load(checkpoint, p + "mlp.", config, activation, mlpBias));
        }
        _finalNorm = Norm("model.norm.weight");
        Unembedding = LoadUnembedding(_embedding, "lm_head.weight");
    }

    public override string Architecture => Config.ModelType == "mistral" ? "MistralForCausalLM" : "LlamaForCausalLM";

    public override Tensor FinalNormGain => _finalNorm.Gain;

    public override WeightMatrix Unembedding { get; }

    public override void Embed(TokenBatch tokens, Tensor residual, Workspace<ForwardBuffer> workspace) => _embedding.Lookup(tokens, residual);

    public override void Block(int layer, Tensor residual, TokenBatch tokens, BranchHook? hook, Workspace<ForwardBuffer> workspace)
    {
        var block = _layers[layer];

        var h = block.InputNorm.Forward(Backend, residual, workspace, ForwardBuffer.Normed);
        var attnOut = block.Attention.Forward(Backend, h, tokens, workspace, ForwardBuffer.AttnOut);
        hook?.Invoke(new HookPoint(layer, HookKind.AttnOut), attnOut);
        Backend.Add(residual, attnOut);

        // post_attention_layernorm is the pre-MLP norm here (unlike Gemma-2's).
        h = block.PostAttentionNorm.Forward(Backend, residual, workspace, ForwardBuffer.Normed);
        var mlpOut = block.Mlp.Forward(Backend, h, workspace, ForwardBuffer.MlpOut);
        hook?.Invoke(new HookPoint(layer, HookKind.MlpOut), mlpOut);
        Backend.Add(residual, mlpOut);
    }

    public override void Unembed(Tensor residual, Tensor logits, Workspace<ForwardBuffer> workspace) =>
        Backend.MatMul(_finalNorm.Forward(Backend, residual, workspace, ForwardBuffer.FinalNormed), Unembedding, logits, transposeB: true);
}
