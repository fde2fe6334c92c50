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
    private readonly ParallelOptions _parallel;
    private int[] _positions = [];
    private double[] _ceClean = [];
    private double[] _ceSae = [];
    private double[] _ceZero = [];
    private double[] _klSae = [];
    private double[] _klZero = [];
    private double _sumCeClean, _sumCeSae, _sumCeZero, _sumKlSae, _sumKlZero;

    /// <param name="threads">workers scoring positions (0 = no limit); each keeps vocab-sized float64 buffers, so a
    /// fixed number means a fixed set of buffers, reused from batch to batch</param>
    public DownstreamLoss(int threads = 0) =>
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : -1 };

    /// <summary>Loss positions scored so far.</summary>
    public long Positions { get; private set; }

    /// <summary>The runs whose logits <see cref="Add"/> takes stacked: clean, SAE-spliced, zero-spliced.</summary>
    public const int Runs = 3;

    /// <summary>Scores the loss positions among tokens [<paramref name="firstRow"/>, firstRow + rows) of a batch, so a
    /// batch can be fed in row chunks (in order): every position's values, and the order in which they are summed, are
    /// the same as when the batch is fed whole.</summary>
    /// <param name="logits">[3 × rows, vocab]: the rows of the unmodified run, then the same rows with x̂ spliced in at
    /// kept positions, then with the zero vector spliced in at every position (one unembedding GEMM makes all three)</param>
    /// <param name="tokens">the batch's input ids (targets are the next id of the same row)</param>
    /// <param name="mask">the batch's special tokens</param>
    /// <param name="firstRow">the batch token the logits' first rows belong to</param>
    public void Add(Tensor logits, TokenBatch tokens, TokenMask mask, int firstRow = 0)
    {
        if (mask.Count != tokens.Tokens || mask.Sequence != tokens.Sequence)
            throw new ArgumentException("the token mask does not match the token batch");
        if (logits.Rows % Runs != 0)
            throw new ArgumentException($"logits {logits} do not stack {Runs} runs of equal rows");
        var rows = logits.Rows / Runs;
        if (firstRow < 0 || firstRow + rows > tokens.Tokens)
            throw new ArgumentException($"logits have {rows} rows per run from token {firstRow} of {tokens.Tokens}");
        var vocab = logits.Columns;

        var count = CollectPositions(tokens, mask, vocab, firstRow, firstRow + rows);
        // Positions are independent: score them in parallel into per-position slots, then sum in position order,
        // so the result does not depend on scheduling.
        Parallel.For(0, count, _parallel, () => Rent(vocab), (k, _, scratch) =>
        {
            var t = _positions[k];
            var row = t - firstRow;
            var target = tokens.Ids[t + 1];
            _ceClean[k] = scratch.SetReference(logits.Row(row), target);
            (_ceSae[k], _klSae[k]) = scratch.Compare(logits.Row(rows + row), target);
            (_ceZero[k], _klZero[k]) = scratch.Compare(logits.Row(2 * rows + row), target);
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

    /// <summary>The loss positions among tokens [first, end), in order.</summary>
    private int CollectPositions(TokenBatch tokens, TokenMask mask, int vocab, int first, int end)
    {
        if (_positions.Length < end - first)
        {
            _positions = new int[end - first];
            _ceClean = new double[_positions.Length];
            _ceSae = new double[_positions.Length];
            _ceZero = new double[_positions.Length];
            _klSae = new double[_positions.Length];
            _klZero = new double[_positions.Length];
        }
        var count = 0;
        for (var t = first; t < end; t++)
        {
            var position = t % tokens.Sequence;
            if (position < 1 || position > tokens.Sequence - 2 || mask.IsSpecial(t)) continue;
            if ((uint)tokens.Ids[t + 1] >= (uint)vocab)
                throw new ArgumentException($"target id {tokens.Ids[t + 1]} is outside the vocabulary of {vocab}");
            _positions[count++] = t;
        }
        return count;
    }

    private Scratch Rent(int vocab) =>
        _scratch.TryTake(out var scratch) && scratch.Vocab == vocab ? scratch : new Scratch(vocab);

    /// <summary>Per-worker float64 buffers of one vocabulary row, reused across positions and batches.</summary>
    private sealed class Scratch(int vocab)
    {
        private readonly double[] _cleanLogits = new double[vocab];
        private readonly double[] _cleanExp = new double[vocab];
        private readonly double[] _logits = new double[vocab];
        private readonly double[] _work = new double[vocab];
        private Normalizer _clean;

        public int Vocab => vocab;

        /// <summary>Keeps z_c and exp(z_c − max_c) of this position's clean logits; returns its cross-entropy.</summary>
        public double SetReference(ReadOnlySpan<float> logits, int target)
        {
            _clean = Normalize(logits, _cleanLogits, _cleanExp);
            return _clean.CrossEntropy(_cleanLogits[target]);
        }

        /// <summary>Cross-entropy of <paramref name="logits"/> and KL(p_clean ‖ p) = Σ p_c (log p_c − log p) =
        /// Σ p_c (z_c − z) + lse − lse_c (as Σ p_c = 1), with p_c = exp(z_c − max_c) / S_c: no log-probability
        /// vectors, two passes fewer than subtracting them.</summary>
        public (double CrossEntropy, double Kl) Compare(ReadOnlySpan<float> logits, int target)
        {
            var normalizer = Normalize(logits, _logits, _work);
            TensorPrimitives.Subtract(_cleanLogits, _logits, _work);
            // lse − lse_c = (max − max_c) + (log S − log S_c): no cancellation between large logits.
            var kl = TensorPrimitives.Dot<double>(_cleanExp, _work) / _clean.SumExp
                + ((normalizer.Max - _clean.Max) + (normalizer.LogSumExpShifted - _clean.LogSumExpShifted));
            return (normalizer.CrossEntropy(_logits[target]), kl);
        }

        /// <summary>Widens z into <paramref name="widened"/> and leaves exp(z − max) in <paramref name="expShifted"/>
        /// (max: the float32 maximum, exact); log Σ exp z = max + log S.</summary>
        private static Normalizer Normalize(ReadOnlySpan<float> logits, Span<double> widened, Span<double> expShifted)
        {
            Statistics.Widen(logits, widened);
            double max = TensorPrimitives.Max(logits);
            TensorPrimitives.Subtract(widened, max, expShifted);
            TensorPrimitives.Exp<double>(expShifted, expShifted);
            var sumExp = TensorPrimitives.Sum<double>(expShifted);
            return new Normalizer(max, sumExp, Math.Log(sumExp));
        }

        /// <summary>log-softmax's normalizer of one row: the shift, S = Σ exp(z − max) and log S.</summary>
        private readonly record struct Normalizer(double Max, double SumExp, double LogSumExpShifted)
        {
            /// <summary>−log p[target] = log S − (z[target] − max), in that order: exact shift, no large cancellation.</summary>
            public double CrossEntropy(double targetLogit) => LogSumExpShifted - (targetLogit - Max);
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
