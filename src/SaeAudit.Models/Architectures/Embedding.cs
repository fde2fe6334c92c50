using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>A token embedding table [vocab, d] (also the unembedding of models that tie them), kept as stored.</summary>
internal sealed class Embedding(WeightMatrix weight, ModelConfig config)
{
    public WeightMatrix Weight => weight;

    /// <summary>Writes each token's row, widened to float32, into <paramref name="residual"/> [tokens, d].</summary>
    public void Lookup(TokenBatch tokens, Tensor residual)
    {
        var vocab = weight.Rows;
        for (var row = 0; row < tokens.Tokens; row++)
        {
            var id = tokens.Ids[row];
            if ((uint)id >= (uint)vocab)
                throw new InvalidInputException($"token id {id} is outside the vocabulary of {config.Path} (vocab_size {vocab})");
            weight.ReadRow(id, residual.Row(row));
        }
    }
}
