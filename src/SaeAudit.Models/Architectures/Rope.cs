using System.Numerics;
using SaeAudit.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace SaeAudit.Models.Architectures;

/// <summary>Rotary position embedding in HF's rotate-half convention: in each head, dim i is paired with dim i + R/2
/// (not i + 1) and the pair is rotated by the angle t·f_i, f_i = 1/θ^(2i/R), where t is the position and R the
/// rotary width — the whole head, or (GPT-NeoX) its first <c>rotary_pct</c>, the rest passing through.</summary>
internal sealed class Rope
{
    private readonly int _headDim;
    private readonly int _half;
    private readonly float[] _inverseFrequencies; // [R/2]
    private volatile Table? _table;

    /// <summary>cos and sin of t·f_i for positions [0, Positions), [Positions, R/2] row-major. Immutable once
    /// published, so concurrent forward passes may share and replace it.</summary>
    private sealed record Table(int Positions, float[] Cos, float[] Sin);

    public Rope(int headDim, int rotaryDim, double theta)
    {
        if (rotaryDim % 2 != 0 || rotaryDim > headDim)
            throw new ArgumentException($"rotary width {rotaryDim} must be even and at most head_dim {headDim}");
        _headDim = headDim;
        _half = rotaryDim / 2;
        // inv_freq = 1.0 / (theta ** (arange(0, R, 2).float() / R)): every step in float32, as HF computes it.
        _inverseFrequencies = new float[_half];
        for (var i = 0; i < _half; i++)
        {
            var exponent = 2 * i / (float)rotaryDim;
            _inverseFrequencies[i] = 1f / (float)Math.Pow((float)theta, exponent);
        }
    }

    /// <summary>In place on q or k [tokens, heads·head_dim]; row r is at position r mod sequence.</summary>
    public void Apply(Tensor x, TokenBatch tokens)
    {
        if (_half == 0) return;
        var table = TableFor(tokens.Sequence);
        var heads = x.Columns / _headDim;
        Span<float> scratch = stackalloc float[4 * _half];
        Span<float> loCos = scratch[.._half], hiSin = scratch.Slice(_half, _half),
            hiCos = scratch.Slice(2 * _half, _half), loSin = scratch[(3 * _half)..];
        for (var row = 0; row < tokens.Tokens; row++)
        {
            var position = row % tokens.Sequence;
            ReadOnlySpan<float> cos = table.Cos.AsSpan(position * _half, _half), sin = table.Sin.AsSpan(position * _half, _half);
            var values = x.Row(row);
            for (var head = 0; head < heads; head++)
            {
                var lo = values.Slice(head * _headDim, _half);
                var hi = values.Slice(head * _headDim + _half, _half);
                // u·cos + rotate_half(u)·sin, with rotate_half(u) = [-hi, lo]: each product rounded, then summed.
                TensorPrimitives.Multiply(lo, cos, loCos);
                TensorPrimitives.Multiply(hi, sin, hiSin);
                TensorPrimitives.Multiply(hi, cos, hiCos);
                TensorPrimitives.Multiply(lo, sin, loSin);
                TensorPrimitives.Subtract(loCos, hiSin, lo);
                TensorPrimitives.Add(hiCos, loSin, hi);
            }
        }
    }

    private Table TableFor(int sequence)
    {
        var table = _table;
        if (table is not null && table.Positions >= sequence) return table;
        // Rounded up so that growing sequence lengths rebuild the table only a few times.
        var positions = (int)BitOperations.RoundUpToPowerOf2((uint)sequence);
        var cos = new float[positions * _half];
        var sin = new float[positions * _half];
        for (var t = 0; t < positions; t++)
        for (var i = 0; i < _half; i++)
        {
            // The angle is the float32 product position·inv_freq (HF's inv_freq @ position_ids); cos and sin of it
            // are evaluated in float64 and rounded once, within an ulp of torch's float32 kernels.
            var angle = (float)t * _inverseFrequencies[i];
            cos[t * _half + i] = (float)Math.Cos(angle);
            sin[t * _half + i] = (float)Math.Sin(angle);
        }
        table = new Table(positions, cos, sin);
        _table = table;
        return table;
    }
}
