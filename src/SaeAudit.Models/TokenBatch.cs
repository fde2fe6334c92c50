namespace SaeAudit.Models;

/// <summary>Token ids for <see cref="Batch"/> sequences of equal length <see cref="Sequence"/>, row-major.</summary>
public sealed record TokenBatch
{
    public TokenBatch(int[] ids, int batch, int sequence)
    {
        if (batch <= 0 || sequence <= 0 || ids.Length != batch * sequence)
            throw new ArgumentException($"{ids.Length} ids do not form {batch} rows of {sequence} tokens");
        Ids = ids;
        Batch = batch;
        Sequence = sequence;
    }

    public int[] Ids { get; }

    public int Batch { get; }

    public int Sequence { get; }

    /// <summary>Rows of the activations a forward pass over this batch produces (batch × sequence).</summary>
    public int Tokens => Batch * Sequence;
}
