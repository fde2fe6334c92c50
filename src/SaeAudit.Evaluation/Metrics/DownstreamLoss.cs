using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Text.Json.Serialization;
using SaeAudit.Models;
using Tensor = SaeAudit.Tensors.Tensor;

namespace SaeAudit.Evaluation.Metrics;

/// <summary>SPEC §5 downstream loss of one model: next-token cross-entropy of the clean, SAE-spliced and
/// zero-spliced runs and KL(p_clean ‖ p_x), log-softmax in float64 from the float32 logits. Loss positions are
/// t in 1..context−2 whose input token is not special (outliers are scored), predicting token t+1 of the row.</summary>
public sealed class DownstreamLoss
{
    private readonly ConcurrentBag<Scratch> _scratch = [];
    private int[] _positions = [];
    private double[] _ceClean = [];
    private double[] _ceSae = [];
    private double[] _ceZero = [];
    private double[] _klSae = [];
    private double[] _klZero = [];
    private double _sumCeClean, _sumCeSae, _sumCeZero, _sumKlSae, _sumKlZero;

    /// <summary>Loss positions scored so far.</summary>
    public long Positions { get; private set; }

    /// <param name="logitsClean">[tokens, vocab] of the unmodified run</param>
    /// <param name="logitsSae">[tokens, vocab] with x̂ spliced in at kept positions</param>
    /// <param name="logitsZero">[tokens, vocab] with the zero vector spliced in at every position</param>
    /// <param name="tokens">the batch's input ids (targets are the next id of the same row)</param>
    /// <param name="mask">the batch's special tokens</param>
    public void Add(Tensor logitsClean, Tensor logitsSae, Tensor logitsZero, TokenBatch tokens, TokenMask mask)
    {
        var n = tokens.Tokens;
        if (mask.Count != n || mask.Sequence != tokens.Sequence)
            throw new ArgumentException("the token mask does not match the token batch");
        if (logitsClean.Rows != n || logitsSae.Rows != n || logitsZero.Rows != n)
            throw new ArgumentException($"logits have {logitsClean.Rows}/{logitsSae.Rows}/{logitsZero.Rows} rows for {n} tokens");
        var vocab = logitsClean.Columns;
        if (logitsSae.Columns != vocab || logitsZero.Columns != vocab)
            throw new ArgumentException("the three logits tensors differ in vocabulary size");

        var count = CollectPositions(tokens, mask, vocab);
        // Positions are independent: score them in parallel into per-position slots, then sum in position order,
        // so the result does not depend on scheduling.
        Parallel.For(0, count, () => Rent(vocab), (k, _, scratch) =>
        {
            var t = _positions[k];
            var target = tokens.Ids[t + 1];
            _ceClean[k] = scratch.SetReference(logitsClean.Row(t), target);
            (_ceSae[k], _klSae[k]) = scratch.Compare(logitsSae.Row(t), target);
            (_ceZero[k], _klZero[k]) = scratch.Compare(logitsZero.Row(t), target);
            return scratch;
        }, _scratch.Add);
        for (var k = 0; k < count; k++)
        {
            _sumCeClean += _ceClean[k];
            _sumCeSae += _ceSae[k];
            _sumCeZero += _ceZero[k];
            _sumKlSae += _klSae[k];
            _sumKlZero += _klZero[k];
        }
        Positions += count;
    }

    public LossResult Result()
    {
        double n = Positions;
        double clean = _sumCeClean / n, sae = _sumCeSae / n, zero = _sumCeZero / n;
        double klSae = _sumKlSae / n, klZero = _sumKlZero / n;
        return new LossResult(
            new CeResult(clean, sae, zero, sae - clean, (zero - sae) / (zero - clean)),
            new KlResult(klSae, klZero, 1 - klSae / klZero));
    }

    private int CollectPositions(TokenBatch tokens, TokenMask mask, int vocab)
    {
        if (_positions.Length < tokens.Tokens)
        {
            _positions = new int[tokens.Tokens];
            _ceClean = new double[tokens.Tokens];
            _ceSae = new double[tokens.Tokens];
            _ceZero = new double[tokens.Tokens];
            _klSae = new double[tokens.Tokens];
            _klZero = new double[tokens.Tokens];
        }
        var count = 0;
        for (var row = 0; row < tokens.Batch; row++)
        {
            for (var position = 1; position <= tokens.Sequence - 2; position++)
            {
                var t = row * tokens.Sequence + position;
                if (mask.IsSpecial(t)) continue;
                if ((uint)tokens.Ids[t + 1] >= (uint)vocab)
                    throw new ArgumentException($"target id {tokens.Ids[t + 1]} is outside the vocabulary of {vocab}");
                _positions[count++] = t;
            }
        }
        return count;
    }

    private Scratch Rent(int vocab) =>
        _scratch.TryTake(out var scratch) && scratch.Vocab == vocab ? scratch : new Scratch(vocab);

    /// <summary>Per-worker float64 buffers of one vocabulary row, reused across positions and batches.</summary>
    private sealed class Scratch(int vocab)
    {
        private readonly double[] _logProbClean = new double[vocab];
        private readonly double[] _probClean = new double[vocab];
        private readonly double[] _logProb = new double[vocab];
        private readonly double[] _work = new double[vocab];

        public int Vocab => vocab;

        /// <summary>Stores log p_clean and p_clean of this position; returns its cross-entropy.</summary>
        public double SetReference(ReadOnlySpan<float> logits, int target)
        {
            var sumExp = LogSoftmax(logits, _logProbClean, _probClean);
            TensorPrimitives.Divide(_probClean, sumExp, _probClean);
            return -_logProbClean[target];
        }

        /// <summary>Cross-entropy of <paramref name="logits"/> and KL(p_clean ‖ p) = Σ p_clean (log p_clean − log p).</summary>
        public (double CrossEntropy, double Kl) Compare(ReadOnlySpan<float> logits, int target)
        {
            LogSoftmax(logits, _logProb, _work);
            TensorPrimitives.Subtract(_logProbClean, _logProb, _work);
            return (-_logProb[target], TensorPrimitives.Dot<double>(_probClean, _work));
        }

        /// <summary>log p = (z − max) − log Σ exp(z − max) into <paramref name="logProb"/>; leaves exp(z − max) in
        /// <paramref name="expShifted"/> and returns its sum.</summary>
        private static double LogSoftmax(ReadOnlySpan<float> logits, Span<double> logProb, Span<double> expShifted)
        {
            Statistics.Widen(logits, logProb);
            TensorPrimitives.Subtract(logProb, TensorPrimitives.Max<double>(logProb), logProb);
            TensorPrimitives.Exp<double>(logProb, expShifted);
            var sumExp = TensorPrimitives.Sum<double>(expShifted);
            TensorPrimitives.Subtract(logProb, Math.Log(sumExp), logProb);
            return sumExp;
        }
    }
}

/// <summary>SPEC §11 <c>&lt;model&gt;.ce</c> (nats).</summary>
public sealed record CeResult(
    [property: JsonPropertyName("clean"), JsonConverter(typeof(NanAsNullConverter))] double Clean,
    [property: JsonPropertyName("sae"), JsonConverter(typeof(NanAsNullConverter))] double Sae,
    [property: JsonPropertyName("zero"), JsonConverter(typeof(NanAsNullConverter))] double Zero,
    [property: JsonPropertyName("delta"), JsonConverter(typeof(NanAsNullConverter))] double Delta,
    [property: JsonPropertyName("score"), JsonConverter(typeof(NanAsNullConverter))] double Score);

/// <summary>SPEC §11 <c>&lt;model&gt;.kl</c>.</summary>
public sealed record KlResult(
    [property: JsonPropertyName("sae"), JsonConverter(typeof(NanAsNullConverter))] double Sae,
    [property: JsonPropertyName("zero"), JsonConverter(typeof(NanAsNullConverter))] double Zero,
    [property: JsonPropertyName("score"), JsonConverter(typeof(NanAsNullConverter))] double Score);

/// <summary>Both loss blocks of one model.</summary>
public sealed record LossResult(
    [property: JsonPropertyName("ce")] CeResult Ce,
    [property: JsonPropertyName("kl")] KlResult Kl);
