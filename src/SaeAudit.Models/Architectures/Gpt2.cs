using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>HF <c>GPT2LMHeadModel</c>: learned positions, pre-LN blocks, Conv1D weights stored [in, out],
/// gelu_new MLP, final ln_f, lm_head tied to wte.</summary>
public sealed class Gpt2 : Transformer
{
    private readonly Embedding _wte; // [vocab, d]
    private readonly WeightMatrix _wpe; // [positions, d]
    private readonly BlockWeights[] _blocks;
    private readonly LayerNorm _lnF;
    private readonly int _heads;

    private sealed record BlockWeights(
        LayerNorm Ln1, Linear Query, Linear Key, Linear Value, Linear AttnProj,
        LayerNorm Ln2, Mlp Mlp, float AttentionScale);

    public Gpt2(ModelConfig config, Checkpoint checkpoint, IComputeBackend backend)
        : base(config, checkpoint, backend)
    {
        int d = config.HiddenSize, layers = config.Layers, inner = config.IntermediateSize;
        _heads = config.Heads;
        if (d % _heads != 0)
            throw InvalidInputException.For(config.Path, "n_head", $"{_heads} does not divide n_embd {d}");
        if (config.GetBool("reorder_and_upcast_attn", false))
            throw InvalidInputException.For(config.Path, "reorder_and_upcast_attn", "true is not supported");
        var activation = ActivationFunctions.Parse(config, "activation_function");

        // Older exports prefix every key with "transformer."; the tiny fixtures and the hub's gpt2 do not.
        var prefix = checkpoint.Contains("transformer.wte.weight") ? "transformer." : "";
        Tensor Load(string name, params int[] shape) => checkpoint.LoadFloat32(prefix + name, shape);
        WeightMatrix Weights(string name, int rows, int columns) => checkpoint.LoadWeights(prefix + name, rows, columns);

        _wte = LoadEmbedding(prefix + "wte.weight");
        _wpe = Weights("wpe.weight", config.MaxPositions, d);
        var eps = (float)config.NormEps;
        var scaleWeights = config.GetBool("scale_attn_weights", true);
        var scaleByLayer = config.GetBool("scale_attn_by_inverse_layer_idx", false);
        _blocks = new BlockWeights[layers];
        for (var i = 0; i < layers; i++)
        {
            var p = $"h.{i}.";
            // c_attn holds q, k, v side by side [d, 3·d]: each projection uses its third of the columns in place, so
            // attention gets contiguous q, k, v without a copy of the weights.
            var qkv = Weights(p + "attn.c_attn.weight", d, 3 * d);
            var qkvBias = Load(p + "attn.c_attn.bias", 3 * d);
            Linear Projection(int part) => Linear.Conv1D(qkv.SliceColumns(part * d, d), new Tensor(qkvBias.Data[(part * d)..((part + 1) * d)], d));
            var scale = scaleWeights ? 1f / MathF.Sqrt(d / _heads) : 1f;
            if (scaleByLayer) scale /= i + 1;
            _blocks[i] = new BlockWeights(
                new LayerNorm(Load(p + "ln_1.weight", d), Load(p + "ln_1.bias", d), eps),
                Projection(0), Projection(1), Projection(2),
                Linear.Conv1D(Weights(p + "attn.c_proj.weight", d, d), Load(p + "attn.c_proj.bias", d)),
                new LayerNorm(Load(p + "ln_2.weight", d), Load(p + "ln_2.bias", d), eps),
                new Mlp(
                    Linear.Conv1D(Weights(p + "mlp.c_fc.weight", d, inner), Load(p + "mlp.c_fc.bias", inner)),
                    Linear.Conv1D(Weights(p + "mlp.c_proj.weight", inner, d), Load(p + "mlp.c_proj.bias", d)),
                    activation),
                scale);
        }
        _lnF = new LayerNorm(Load("ln_f.weight", d), Load("ln_f.bias", d), eps);
    }

    public override string Architecture => "GPT2LMHeadModel";

    public override Tensor FinalNormGain => _lnF.Weight;

    public override WeightMatrix Unembedding => _wte.Weight;

    public override void Embed(TokenBatch tokens, Tensor residual, Workspace<ForwardBuffer> workspace)
    {
        if (tokens.Sequence > _wpe.Rows)
            throw new InvalidInputException(
                $"{Config.Path}: n_positions: sequences of {tokens.Sequence} tokens exceed the model's {_wpe.Rows} positions");
        _wte.Lookup(tokens, residual);
        var positions = workspace.Get(ForwardBuffer.Positions, tokens.Sequence, DModel);
        for (var position = 0; position < tokens.Sequence; position++) _wpe.ReadRow(position, positions.Row(position));
        for (var row = 0; row < tokens.Tokens; row++)
        {
            var x = residual.Row(row);
            System.Numerics.Tensors.TensorPrimitives.Add(x, positions.Row(row % tokens.Sequence), x);
        }
    }

    public override void Block(int layer, Tensor residual, TokenBatch tokens, BranchHook? hook, Workspace<ForwardBuffer> workspace)
    {
        var block = _blocks[layer];

        var h = block.Ln1.Forward(Backend, residual, workspace, ForwardBuffer.Normed);
        var q = block.Query.Forward(Backend, h, workspace, ForwardBuffer.Query);
        var k = block.Key.Forward(Backend, h, workspace, ForwardBuffer.Key);
        var v = block.Value.Forward(Backend, h, workspace, ForwardBuffer.Value);
        var attention = workspace.Get(ForwardBuffer.Attention, h.Rows, DModel);
        Backend.CausalSelfAttention(q, k, v, attention,
            new AttentionOptions(tokens.Batch, tokens.Sequence, _heads, _heads, DModel / _heads, block.AttentionScale));
        var attnOut = block.AttnProj.Forward(Backend, attention, workspace, ForwardBuffer.AttnOut);
        hook?.Invoke(new HookPoint(layer, HookKind.AttnOut), attnOut);
        Backend.Add(residual, attnOut);

        var mlpOut = block.Mlp.Forward(Backend, block.Ln2.Forward(Backend, residual, workspace, ForwardBuffer.Normed), workspace, ForwardBuffer.MlpOut);
        hook?.Invoke(new HookPoint(layer, HookKind.MlpOut), mlpOut);
        Backend.Add(residual, mlpOut);
    }

    public override void Unembed(Tensor residual, Tensor logits, Workspace<ForwardBuffer> workspace)
    {
        var h = _lnF.Forward(Backend, residual, workspace, ForwardBuffer.FinalNormed);
        Backend.MatMul(h, _wte.Weight, logits, transposeB: true);
    }
}
