using SaeAudit.Evaluation.Metrics;
using SaeAudit.Models;
using static SaeAudit.Evaluation.Tests.Metrics.MetricsTestData;

namespace SaeAudit.Evaluation.Tests.Metrics;

public class DownstreamLossTests
{
    [Fact]
    public void Cross_entropy_and_kl_over_the_loss_positions()
    {
        // 2 rows × 4 positions, vocab 3, id 2 is special. Loss positions t in 1..2 whose input is not special:
        //   row 0 [2, 0, 1, 0]: t=1 → target 1, t=2 → target 0
        //   row 1 [2, 1, 2, 1]: t=1 → target 2 (a special target is scored); t=2 is special; t=3 (last) never.
        // Logits at those positions: clean [0,0,0] (uniform); sae [1,0,0], [0,0,0], [0,0,1]; zero [5,0,0].
        // All other positions hold junk that must not count.
        var tokens = new TokenBatch([2, 0, 1, 0, 2, 1, 2, 1], 2, 4);
        var mask = TokenMask.Create(tokens, new HashSet<int> { 2 });
        float[] junk = [50, -50, 3];
        float[] uniform = [0, 0, 0];
        var clean = Logits(junk, uniform, uniform, junk, junk, uniform, junk, junk);
        var sae = Logits(junk, [1, 0, 0], uniform, junk, junk, [0, 0, 1], junk, junk);
        var zero = Logits(junk, [5, 0, 0], [5, 0, 0], junk, junk, [5, 0, 0], junk, junk);
        var loss = new DownstreamLoss();
        loss.Add(Stacked(clean, sae, zero), tokens, mask);

        loss.Positions.Should().Be(3);
        var r = loss.Result();
        // CE: clean ln 3 everywhere. sae: with L = ln(e + 2): [1,0,0]→target 1: L; uniform: ln 3; [0,0,1]→target 2:
        // L − 1. zero: with L5 = ln(e^5 + 2): targets 1, 0, 2 → L5, L5 − 5, L5.
        double ln3 = Math.Log(3), l = Math.Log(Math.E + 2), l5 = Math.Log(Math.Exp(5) + 2);
        double ceSae = (2 * l - 1 + ln3) / 3, ceZero = l5 - 5.0 / 3;
        r.Ce.Clean.Should().BeApproximately(ln3, 1e-14);
        r.Ce.Sae.Should().BeApproximately(ceSae, 1e-14);
        r.Ce.Zero.Should().BeApproximately(ceZero, 1e-14);
        r.Ce.Delta.Should().BeApproximately(ceSae - ln3, 1e-14);
        r.Ce.Score.Should().BeApproximately((ceZero - ceSae) / (ceZero - ln3), 1e-13);
        // KL(uniform ‖ q) = −ln 3 − (1/3) Σ ln q: for [1,0,0] or [0,0,1] Σ ln q = 1 − 3L → L − 1/3 − ln 3; 0 for
        // uniform; for [5,0,0] L5 − 5/3 − ln 3.
        double klSae = 2 * (l - 1.0 / 3 - ln3) / 3, klZero = l5 - 5.0 / 3 - ln3;
        r.Kl.Sae.Should().BeApproximately(klSae, 1e-14);
        r.Kl.Zero.Should().BeApproximately(klZero, 1e-14);
        r.Kl.Score.Should().BeApproximately(1 - klSae / klZero, 1e-13);
    }

    [Fact]
    public void Batches_accumulate_and_large_logits_stay_finite()
    {
        // One row of 3: only t = 1 is a loss position (target id 1). Logits ±1000 would overflow a naive softmax.
        var tokens = new TokenBatch([0, 0, 1], 1, 3);
        var mask = TokenMask.Create(tokens, new HashSet<int>());
        float[] any = [0, 0];
        var clean = Logits(any, [1000, 1000], any);
        var sae = Logits(any, [1000, -1000], any);
        var loss = new DownstreamLoss();
        loss.Add(Stacked(clean, sae, sae), tokens, mask);
        loss.Add(Stacked(clean, clean, sae), tokens, mask);
        var r = loss.Result();
        loss.Positions.Should().Be(2);
        r.Ce.Clean.Should().BeApproximately(Math.Log(2), 1e-14);
        // sae: batch 1 CE 2000 (target logit −1000 vs lse 1000), batch 2 CE ln 2.
        r.Ce.Sae.Should().BeApproximately((2000 + Math.Log(2)) / 2, 1e-9);
        // KL(½,½ ‖ q): ½(ln ½ − 0) + ½(ln ½ − (−2000)) = 1000 − ln 2 in batch 1, 0 in batch 2.
        r.Kl.Sae.Should().BeApproximately((1000 - Math.Log(2)) / 2, 1e-9);
    }

    [Fact]
    public void Kl_of_a_run_identical_to_the_clean_one_is_exactly_zero()
    {
        var tokens = new TokenBatch([0, 1, 2, 3], 1, 4);
        var mask = TokenMask.Create(tokens, new HashSet<int>());
        var random = new Random(3);
        var clean = Logits([.. Enumerable.Range(0, 4 * 50).Select(_ => (float)(30 * random.NextDouble()))]).Reshape(4, 50);
        var zero = Logits([.. Enumerable.Range(0, 4 * 50).Select(_ => (float)random.NextDouble())]).Reshape(4, 50);
        var loss = new DownstreamLoss();
        loss.Add(Stacked(clean, clean, zero), tokens, mask);
        loss.Result().Kl.Sae.Should().Be(0);
        loss.Result().Kl.Zero.Should().BePositive();
        loss.Result().Ce.Sae.Should().Be(loss.Result().Ce.Clean);
    }

    [Fact]
    public void Feeding_a_batch_in_row_chunks_gives_the_same_bits_as_feeding_it_whole()
    {
        // 3 rows × 10 positions, vocab 7, id 6 special; chunks that cut rows and positions anywhere.
        const int rows = 3, sequence = 10, vocab = 7, tokens = rows * sequence;
        var random = new Random(5);
        var ids = Enumerable.Range(0, tokens).Select(_ => random.Next(vocab)).ToArray();
        var batch = new TokenBatch(ids, rows, sequence);
        var mask = TokenMask.Create(batch, new HashSet<int> { 6 });
        SaeAudit.Tensors.Tensor RandomLogits() =>
            Matrix(tokens, vocab, [.. Enumerable.Range(0, tokens * vocab).Select(_ => (float)(4 * random.NextDouble() - 2))]);
        SaeAudit.Tensors.Tensor Rows(SaeAudit.Tensors.Tensor t, int first, int count) =>
            Matrix(count, vocab, t.Data[(first * vocab)..((first + count) * vocab)]);
        var (clean, sae, zero) = (RandomLogits(), RandomLogits(), RandomLogits());

        var whole = new DownstreamLoss();
        whole.Add(Stacked(clean, sae, zero), batch, mask);
        whole.Add(Stacked(sae, clean, zero), batch, mask);
        var chunked = new DownstreamLoss(threads: 2);
        foreach (var (first, count) in new[] { (0, 7), (7, 1), (8, 15), (23, 7) })
            chunked.Add(Stacked(Rows(clean, first, count), Rows(sae, first, count), Rows(zero, first, count)), batch, mask, first);
        foreach (var (first, count) in new[] { (0, 29), (29, 1) })
            chunked.Add(Stacked(Rows(sae, first, count), Rows(clean, first, count), Rows(zero, first, count)), batch, mask, first);

        chunked.Positions.Should().Be(whole.Positions);
        chunked.Result().Should().Be(whole.Result(), "each position is scored alike and summed in the same order");
        FluentActions.Invoking(() => chunked.Add(Stacked(Rows(clean, 0, 2), Rows(sae, 0, 2), Rows(zero, 0, 2)), batch, mask, 29))
            .Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => chunked.Add(Rows(clean, 0, 4), batch, mask))
            .Should().Throw<ArgumentException>("4 rows do not stack three runs");
    }

    /// <summary>The three runs' logits stacked as <see cref="DownstreamLoss.Add"/> takes them.</summary>
    private static SaeAudit.Tensors.Tensor Stacked(SaeAudit.Tensors.Tensor clean, SaeAudit.Tensors.Tensor sae, SaeAudit.Tensors.Tensor zero) =>
        Matrix(3 * clean.Rows, clean.Columns, [.. clean.Data, .. sae.Data, .. zero.Data]);

    private static SaeAudit.Tensors.Tensor Logits(params float[][] rows) =>
        Matrix(rows.Length, rows[0].Length, [.. rows.SelectMany(r => r)]);
}
