namespace SaeAudit.Evaluation.Sampling;

/// <summary>The special token ids of SPEC §1 (BOS, EOS and PAD of the tokenizer): BOS prefixes every packed row, EOS
/// joins documents, and all of them are left out of the metrics. BOS and EOS may be the same id (GPT-2).</summary>
public sealed class SpecialTokens
{
    public SpecialTokens(int bos, int eos, int? pad = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bos);
        ArgumentOutOfRangeException.ThrowIfNegative(eos);
        if (pad is < 0) throw new ArgumentOutOfRangeException(nameof(pad), pad, "must be non-negative");
        Bos = bos;
        Eos = eos;
        Pad = pad;
        Ids = new[] { bos, eos, pad ?? bos }.Distinct().Order().ToArray();
    }

    public int Bos { get; }

    public int Eos { get; }

    public int? Pad { get; }

    /// <summary>The distinct special ids, ascending.</summary>
    public IReadOnlyList<int> Ids { get; }

    public bool Contains(int id) => id == Bos || id == Eos || id == Pad;
}
