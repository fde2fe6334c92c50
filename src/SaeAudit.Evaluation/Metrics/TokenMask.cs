using SaeAudit.Models;
using SaeAudit.Tensors;

namespace SaeAudit.Evaluation.Metrics;

/// <summary>Which tokens of a batch (row-major, <see cref="Sequence"/> positions per row) are special (BOS, EOS, PAD
/// ids) or outliers (SPEC §1, §3). Kept tokens are neither; only non-special tokens can be outliers.</summary>
public sealed class TokenMask
{
    private readonly bool[] _special;
    private readonly bool[] _outlier;

    public TokenMask(int sequence, bool[] special, bool[] outlier)
    {
        if (sequence <= 0 || special.Length % sequence != 0 || outlier.Length != special.Length)
            throw new ArgumentException($"masks of {special.Length}/{outlier.Length} tokens do not form rows of {sequence}");
        Sequence = sequence;
        _special = special;
        _outlier = outlier;
    }

    /// <summary>Special tokens only (no outliers): for calibration, or with the outlier filter off.</summary>
    public static TokenMask Create(TokenBatch tokens, IReadOnlySet<int> specialIds)
    {
        var special = new bool[tokens.Tokens];
        for (var i = 0; i < special.Length; i++) special[i] = specialIds.Contains(tokens.Ids[i]);
        return new TokenMask(tokens.Sequence, special, new bool[special.Length]);
    }

    /// <summary>Special tokens and the outliers among the others, from float64 norms of the hook activations
    /// <paramref name="xBase"/>, <paramref name="xFinetune"/> [tokens, d].</summary>
    public static TokenMask Create(TokenBatch tokens, IReadOnlySet<int> specialIds, Tensor xBase, Tensor xFinetune,
        OutlierFilter filter)
    {
        if (xBase.Rows != tokens.Tokens || xFinetune.Rows != tokens.Tokens)
            throw new ArgumentException($"activations have {xBase.Rows}/{xFinetune.Rows} rows for {tokens.Tokens} tokens");
        var mask = Create(tokens, specialIds);
        for (var i = 0; i < mask.Count; i++)
        {
            if (mask._special[i]) continue;
            mask._outlier[i] = filter.IsOutlier(Statistics.Norm(xBase.Row(i)), Statistics.Norm(xFinetune.Row(i)));
        }
        return mask;
    }

    public int Sequence { get; }

    /// <summary>Tokens in the batch (rows × sequence).</summary>
    public int Count => _special.Length;

    public int Rows => _special.Length / Sequence;

    public bool IsSpecial(int token) => _special[token];

    public bool IsOutlier(int token) => _outlier[token];

    public bool Kept(int token) => !_special[token] && !_outlier[token];

    public int Position(int token) => token % Sequence;
}
