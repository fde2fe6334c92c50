using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>A token embedding table [vocab, d] (also the unembedding of models that tie them).</summary>
internal sealed class Embedding(Tensor weight, ModelConfig config)
{
    public Tensor Weight => weight;

    /// <summary>Copies each token's row into <paramref name="residual"/> [tokens, d].</summary>
    public void Lookup(TokenBatch tokens, Tensor residual)
    {
        var vocab = weight.Shape[0];
        for (var row = 0; row < tokens.Tokens; row++)
        {
            var id = tokens.Ids[row];
            if ((uint)id >= (uint)vocab)
                throw new InvalidInputException($"token id {id} is outside the vocabulary of {config.Path} (vocab_size {vocab})");
            weight.Row(id).CopyTo(residual.Row(row));
        }
    }
}
