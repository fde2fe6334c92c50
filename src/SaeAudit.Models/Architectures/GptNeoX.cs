using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>HF <c>GPTNeoXForCausalLM</c> (Pythia): LayerNorm with bias, a fused query_key_value projection laid out per
/// head, rotary positions on the first <c>rotary_pct</c> of each head, a GELU MLP, parallel residual
/// (x + attn(ln1(x)) + mlp(ln2(x))) unless <c>use_parallel_residual</c> is false, untied embed_out.</summary>
public sealed class GptNeoX : ITransformer
{
    private readonly IComputeBackend _backend;
    private readonly Embedding _embedding;
    private readonly Layer[] _layers;
    private readonly LayerNorm _finalNorm;
    private readonly bool _parallelResidual;

    private sealed record Layer(
        LayerNorm InputNorm, RotaryAttention Attention, LayerNorm PostAttentionNorm, Mlp Mlp);

    public GptNeoX(ModelConfig config, Checkpoint checkpoint, IComputeBackend backend)
    {
        Config = config;
        Checkpoint = checkpoint;
        _backend = backend;
        int d = config.HiddenSize, vocab = config.VocabSize, inner = config.IntermediateSize;
        int heads = config.Heads, headDim = config.HeadDim;
        var eps = (float)config.NormEps;
        Tensor Load(string name, params int[] shape) => checkpoint.LoadFloat32(name, shape);
        LayerNorm Norm(string prefix) => new(Load(prefix + ".weight", d), Load(prefix + ".bias", d), eps);
        Linear Dense(string prefix, int outFeatures, int inFeatures) =>
            Linear.Torch(Load(prefix + ".weight", outFeatures, inFeatures), Load(prefix + ".bias", outFeatures));

        _embedding = new Embedding(Load("gpt_neox.embed_in.weight", vocab, d), config);
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
            var fusedWeight = Load(p + "attention.query_key_value.weight", 3 * d, d);
            // The bias as a [3·d, 1] column, so it splits by the same rows as the weight.
            var fusedBias = attentionBias ? Load(p + "attention.query_key_value.bias", 3 * d).Reshape(3 * d, 1) : null;
            var (wq, wk, wv) = SplitQueryKeyValue(fusedWeight, heads, headDim);
            var (bq, bk, bv) = fusedBias is null ? (null, null, null) : SplitQueryKeyValue(fusedBias, heads, headDim);
            var denseWeight = Load(p + "attention.dense.weight", d, d);
            var denseBias = attentionBias ? Load(p + "attention.dense.bias", d) : null;
            var attention = new RotaryAttention(
                Linear.Torch(wq, bq?.Reshape(d)), Linear.Torch(wk, bk?.Reshape(d)), Linear.Torch(wv, bv?.Reshape(d)),
                Linear.Torch(denseWeight, denseBias), rope, heads, heads, headDim, scale, slidingWindow: null, softCap: null);
            _layers[i] = new Layer(
                Norm(p + "input_layernorm"), attention, Norm(p + "post_attention_layernorm"),
                new Mlp(Dense(p + "mlp.dense_h_to_4h", inner, d), Dense(p + "mlp.dense_4h_to_h", d, inner), activation));
        }
        _finalNorm = Norm("gpt_neox.final_layer_norm");
        _parallelResidual = config.UseParallelResidual;
        Unembedding = config.TieWordEmbeddings ? _embedding.Weight : Load("embed_out.weight", vocab, d);
    }

    public string Architecture => "GPTNeoXForCausalLM";

    public ModelConfig Config { get; }

    public Checkpoint Checkpoint { get; }

    public int Layers => _layers.Length;

    public int DModel => Config.HiddenSize;

    public int VocabSize => Config.VocabSize;

    public Tensor FinalNormGain => _finalNorm.Weight;

    public Tensor Unembedding { get; }

    public void Embed(TokenBatch tokens, Tensor residual) => _embedding.Lookup(tokens, residual);

    public void Block(int layer, Tensor residual, TokenBatch tokens, BranchHook? hook)
    {
        var block = _layers[layer];

        var attnOut = block.Attention.Forward(_backend, block.InputNorm.Forward(_backend, residual), tokens);
        hook?.Invoke(new HookPoint(layer, HookKind.AttnOut), attnOut);

        if (_parallelResidual)
        {
            // Both branches read x; HF sums mlp_out + attn_out + x in that order.
            var mlpOut = block.Mlp.Forward(_backend, block.PostAttentionNorm.Forward(_backend, residual));
            hook?.Invoke(new HookPoint(layer, HookKind.MlpOut), mlpOut);
            _backend.Add(mlpOut, attnOut);
            _backend.Add(residual, mlpOut);
        }
        else
        {
            _backend.Add(residual, attnOut);
            var mlpOut = block.Mlp.Forward(_backend, block.PostAttentionNorm.Forward(_backend, residual));
            hook?.Invoke(new HookPoint(layer, HookKind.MlpOut), mlpOut);
            _backend.Add(residual, mlpOut);
        }
    }

    public void Unembed(Tensor residual, Tensor logits) =>
        _backend.MatMul(_finalNorm.Forward(_backend, residual), Unembedding, logits, transposeB: true);

    /// <summary>Splits the rows of query_key_value [3·d, columns], laid out per head as [heads, 3, head_dim] (q_h, k_h,
    /// v_h blocks one after another, not all q then all k), into q, k and v [d, columns], each in head order.</summary>
    private static (Tensor, Tensor, Tensor) SplitQueryKeyValue(Tensor fused, int heads, int headDim)
    {
        int columns = fused.Columns, width = heads * headDim, block = headDim * columns;
        var parts = new[] { Tensor.Zeros(width, columns), Tensor.Zeros(width, columns), Tensor.Zeros(width, columns) };
        for (var head = 0; head < heads; head++)
        for (var part = 0; part < 3; part++)
            fused.Data.AsSpan((head * 3 + part) * block, block).CopyTo(parts[part].Data.AsSpan(head * block, block));
        return (parts[0], parts[1], parts[2]);
    }
}
