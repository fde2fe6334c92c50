using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>What every architecture shares outside its forward pass: the <see cref="ITransformer"/> properties read
/// from the config, the backend, and loading the embedding and unembedding. The forward pass (<see cref="Embed"/>,
/// <see cref="Block"/>, <see cref="Unembed"/>) stays in each architecture's own file, to be read top to bottom.</summary>
public abstract class Transformer : ITransformer
{
    // private protected: the loading helpers take internal types, so only this assembly's architectures derive.
    private protected Transformer(ModelConfig config, Checkpoint checkpoint, IComputeBackend backend)
    {
        Config = config;
        Checkpoint = checkpoint;
        Backend = backend;
    }

    public abstract string Architecture { get; }

    public ModelConfig Config { get; }

    public Checkpoint Checkpoint { get; }

    public int Layers => Config.Layers;

    public int DModel => Config.HiddenSize;

    public int VocabSize => Config.VocabSize;

    public abstract Tensor FinalNormGain { get; }

    public abstract WeightMatrix Unembedding { get; }

    protected IComputeBackend Backend { get; }

    public abstract void Embed(TokenBatch tokens, Tensor residual, Workspace<ForwardBuffer> workspace);

    public abstract void Block(int layer, Tensor residual, TokenBatch tokens, BranchHook? hook, Workspace<ForwardBuffer> workspace);

    public abstract void Unembed(Tensor residual, Tensor logits, Workspace<ForwardBuffer> workspace);

    /// <summary>The token embedding [vocab, d] stored as <paramref name="name"/>.</summary>
    private protected Embedding LoadEmbedding(string name) => new(Checkpoint.LoadWeights(name, VocabSize, DModel), Config);

    /// <summary>The unembedding [vocab, d]: the embedding itself when the config ties them, else the tensor
    /// <paramref name="name"/>.</summary>
    private protected WeightMatrix LoadUnembedding(Embedding embedding, string name) =>
        Config.TieWordEmbeddings ? embedding.Weight : Checkpoint.LoadWeights(name, VocabSize, DModel);
}
