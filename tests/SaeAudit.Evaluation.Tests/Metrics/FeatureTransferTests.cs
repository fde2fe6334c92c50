using SaeAudit.Evaluation.Manifests;
using SaeAudit.Evaluation.Metrics;
using SaeAudit.Evaluation.Sampling;
using SaeAudit.Tensors;
using static SaeAudit.Evaluation.Tests.Metrics.MetricsTestData;

namespace SaeAudit.Evaluation.Tests.Metrics;

public class FeatureTransferTests
{
    // Any logit weights will do where only the activation side is checked: d = 1, vocab 2.
    private static LogitWeights TrivialLogitWeights(int features) => new(
        new Tensor(Enumerable.Repeat(1f, features).ToArray(), features, 1), [1f], Matrix(2, 1, 1, 2), [1f], Matrix(2, 1, 1, 3));

    [Fact]
    public void Streamed_sums_give_the_two_pass_pearson_on_random_sparse_data()
    {
        // 600 tokens (rows of 6, position 0 special, some outliers), 5 features of different density; the
        // finetune activation is a noisy copy of the base one. Two-pass Pearson over the kept tokens as reference.
        const int tokens = 600, features = 5;
        var random = new Random(1234);
        var fB = new float[tokens * features];
        var fF = new float[tokens * features];
        for (var t = 0; t < tokens; t++)
        {
            for (var i = 0; i < features; i++)
            {
                var density = 0.02 + 0.2 * i;
                if (random.NextDouble() < density) fB[t * features + i] = (float)(random.NextDouble() * 3 + 100 * i);
                if (random.NextDouble() < density) fF[t * features + i] = fB[t * features + i] * 0.8f + (float)random.NextDouble();
            }
        }
        var special = Enumerable.Range(0, tokens).Where(t => t % 6 == 0).ToArray();
        var outliers = Enumerable.Range(0, tokens).Where(t => t % 37 == 5).ToArray();
        var transfer = new FeatureTransfer(features);
        // Two batches: the sums continue across Add calls.
        transfer.Add(Matrix(300, features, fB[..(300 * features)]), Matrix(300, features, fF[..(300 * features)]),
            Mask(6, 300, special.Where(t => t < 300).ToArray(), outliers.Where(t => t < 300).ToArray()));
        transfer.Add(Matrix(300, features, fB[(300 * features)..]), Matrix(300, features, fF[(300 * features)..]),
            Mask(6, 300, special.Where(t => t >= 300).Select(t => t - 300).ToArray(), outliers.Where(t => t >= 300).Select(t => t - 300).ToArray()));

        var kept = Enumerable.Range(0, tokens).Where(t => t % 6 != 0 && t % 37 != 5).ToArray();
        for (var i = 0; i < features; i++)
        {
            var a = kept.Select(t => (double)fB[t * features + i]).ToArray();
            var b = kept.Select(t => (double)fF[t * features + i]).ToArray();
            transfer.ActivationCorrelation(i).Should().BeApproximately(Statistics.Pearson(a, b), 1e-9);
        }
    }

    [Fact]
    public void Regular_features_are_sampled_and_constant_ones_are_undefined()
    {
        // 4 kept tokens, 4 features; density range [.2, 1] (closed) to admit a constant feature.
        //   f0: B [1,0,0,0] F [2,0,0,0]   ρ .25/.25  r = 1
        //   f1: B [1,1,1,1] F [1,0,2,0]   ρ 1/.5     constant in B → undefined
        //   f2: B [1,2,0,0] F [0,0,1,2]   ρ .5/.5    a = [1,2,0,0], b = [0,0,1,2]: cov = −2.25, var 2.75 each → −9/11
        //   f3: B [0,0,0,0] F [0,0,0,3]   ρ 0: not regular (born)
        var fB = Matrix(4, 4, 1, 1, 1, 0, 0, 1, 2, 0, 0, 1, 0, 0, 0, 1, 0, 0);
        var fF = Matrix(4, 4, 2, 1, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0, 0, 2, 3);
        var transfer = new FeatureTransfer(4);
        transfer.Add(fB, fF, Mask(4, 4));
        var settings = TransferSpec.Default with { Features = 10, DeadCap = 10, DensityLow = 0.2, DensityHigh = 1 };
        var r = transfer.Result([1, 4, 2, 0], [1, 2, 2, 1], settings, 0, TrivialLogitWeights(4));

        r.Extras.RegularCandidates.Should().Be(3);
        r.Extras.SampledFeatures.Should().Equal(0, 1, 2);
        r.ActivationSimilarity.N.Should().Be(3);
        r.ActivationSimilarity.Undefined.Should().Be(1);
        // Defined: 1 and −9/11: mean (1 − 9/11)/2 = 1/11, median the same (even count), 1 of 2 ≥ .8.
        r.ActivationSimilarity.Mean.Should().BeApproximately(1.0 / 11, 1e-12);
        r.ActivationSimilarity.Median.Should().BeApproximately(1.0 / 11, 1e-12);
        r.ActivationSimilarity.FracGe08.Should().Be(0.5);
        r.ActivationSimilarity.Histogram.Counts.Sum().Should().Be(2);
        r.ActivationSimilarity.Histogram.Counts[99].Should().Be(1); // r = 1 is hi: the last bin
    }

    [Fact]
    public void Sampling_takes_k_regular_features_with_seed_plus_one()
    {
        // 50 features, each active on one token of 100 in both models: all regular (ρ = .01).
        const int features = 50;
        var f = new float[100 * features];
        for (var i = 0; i < features; i++) f[i * features + i] = 1;
        var transfer = new FeatureTransfer(features);
        transfer.Add(Matrix(100, features, f), Matrix(100, features, f), Mask(100, 100));
        var counts = Enumerable.Repeat(1L, features).ToArray();
        var r = transfer.Result(counts, counts, TransferSpec.Default with { Features = 7 }, 41, TrivialLogitWeights(features));
        r.Extras.SampledFeatures.Should().Equal(SplitMix64.Sample(Enumerable.Range(0, features).ToArray(), 7, 42));
        r.ActivationSimilarity.N.Should().Be(7);
        r.ActivationSimilarity.Mean.Should().BeApproximately(1, 1e-12);
    }

    [Fact]
    public void Dead_feature_error_pools_born_and_died()
    {
        // 4 kept tokens. f0 born (dead in B): F [1,0,0,0] → (|log10 1e-10 − log10(1 + 1e-10)|)/4 ≈ 10/4 = 2.5.
        // f1 died (dead in F): B [.01,0,0,0] → |log10(.01 + 1e-10) − (−10)|/4 ≈ 8/4 = 2. f2 alive in both.
        var fB = Matrix(4, 3, 0, 0.01f, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0);
        var fF = Matrix(4, 3, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0);
        var transfer = new FeatureTransfer(3);
        transfer.Add(fB, fF, Mask(4, 4));
        var r = transfer.Result([0, 1, 2], [1, 0, 2], TransferSpec.Default, 0, TrivialLogitWeights(3));

        var born = (10 + Math.Log10(1 + 1e-10)) / 4;
        var died = (Math.Log10((double)0.01f + 1e-10) + 10) / 4;
        transfer.ActivationError(0).Should().BeApproximately(born, 1e-12);
        transfer.ActivationError(1).Should().BeApproximately(died, 1e-12);
        transfer.ActivationError(2).Should().BeApproximately(20.0 / 4, 1e-9); // tokens 1, 2: one side zero, ≈ 10 each
        r.DeadActivationError.N.Should().Be(2);
        r.DeadActivationError.Mean.Should().BeApproximately((born + died) / 2, 1e-12);
        r.DeadActivationError.Histogram.Counts[25].Should().Be(1);
        r.DeadActivationError.Histogram.Counts[19].Should().Be(1); // log10(float .01) is just below −2
        r.Extras.DeadSampled.Born.Should().Equal(0);
        r.Extras.DeadSampled.Died.Should().Equal(1);
        r.Extras.DeadMaxActivation.Born.Should().Equal(1.0);
        r.Extras.DeadMaxActivation.Died.Should().Equal((double)0.01f);
        var byKind = r.Extras.DeadActivationErrorByKind;
        (byKind.Born.N, byKind.Born.MaxActivationMean).Should().Be((1, 1.0));
        byKind.Born.Mean.Should().BeApproximately(born, 1e-12);
        (byKind.Died.N, byKind.Died.MaxActivationMean).Should().Be((1, (double)0.01f));
        byKind.Died.Mean.Should().BeApproximately(died, 1e-12);
    }

    [Fact]
    public void Dead_lists_are_sampled_with_a_fresh_generator_each()
    {
        // 30 born (even features) and 30 died (odd features), dead_cap 5, seed 3 → each list shuffled by
        // SplitMix64(5) from the start.
        const int features = 60;
        var transfer = new FeatureTransfer(features);
        transfer.Add(Matrix(1, features, new float[features]), Matrix(1, features, new float[features]), Mask(1, 1));
        var countsBase = Enumerable.Range(0, features).Select(i => i % 2 == 0 ? 0L : 1).ToArray();
        var countsFinetune = countsBase.Select(c => 1 - c).ToArray();
        var r = transfer.Result(countsBase, countsFinetune, TransferSpec.Default with { DeadCap = 5 }, 3, TrivialLogitWeights(features));
        var born = Enumerable.Range(0, 30).Select(i => 2 * i).ToArray();
        var died = Enumerable.Range(0, 30).Select(i => 2 * i + 1).ToArray();
        r.Extras.DeadSampled.Born.Should().Equal(SplitMix64.Sample(born, 5, 5));
        r.Extras.DeadSampled.Died.Should().Equal(SplitMix64.Sample(died, 5, 5));
        r.DeadActivationError.N.Should().Be(10);
    }

    [Fact]
    public void Logit_similarity_matches_a_hand_computation()
    {
        // d = 2, vocab 3. γ_B = [1,1], γ_F = [2,1]; W_U^B rows [1,0],[0,1],[1,1]; W_U^F rows [1,0],[0,1],[2,0].
        //   d0 = [1,0]: ℓ^B = [1,0,1], ℓ^F = [2,0,4] → cov 2, Σa² = 2/3, Σb² = 8 → r = 2/sqrt(16/3) = √3/2
        //   d1 = [1,1]: ℓ^B = [1,1,2], ℓ^F = [2,1,4] → cov 5/3, Σa² = 6/9, Σb² = 42/9 → r = 15/√252
        //   d2 = [0,0]: ℓ = 0 → undefined
        // The finetune has an added vocabulary row (ignored: only the shared rows are compared).
        var weights = new LogitWeights(Matrix(3, 2, 1, 0, 1, 1, 0, 0),
            [1, 1], Matrix(3, 2, 1, 0, 0, 1, 1, 1),
            [2, 1], Matrix(4, 2, 1, 0, 0, 1, 2, 0, 100, -100));
        var similarity = LogitSimilarity.Compute([0, 1, 2], weights);
        similarity[0].Should().BeApproximately(Math.Sqrt(3) / 2, 1e-14);
        similarity[1].Should().BeApproximately(15 / Math.Sqrt(252), 1e-14);
        similarity[2].Should().Be(double.NaN);
    }

    [Theory]
    [InlineData(16, 300, 20)] // whole 4×4 tiles and vocabulary blocks, one partial feature group
    [InlineData(24, 302, 23)] // a partial tile of features and of unembedding rows
    [InlineData(20, 130, 6)] // d not a multiple of the vector width: the untiled path
    public void Logit_similarity_agrees_with_a_two_pass_computation_on_random_weights(int d, int vocab, int features)
    {
        // Random weights with a large common row offset in the unembeddings (like real ones).
        var random = new Random(7);
        float[] Uniform(int n, double offset) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5 + offset)).ToArray();
        var weights = new LogitWeights(Matrix(features, d, Uniform(features * d, 0)),
            Uniform(d, 1), Matrix(vocab, d, Uniform(vocab * d, 3)), Uniform(d, 1), Matrix(vocab, d, Uniform(vocab * d, 3)));
        var similarity = LogitSimilarity.Compute(Enumerable.Range(0, features).ToArray(), weights);
        for (var i = 0; i < features; i++)
        {
            double[] Logits(float[] gain, Tensor unembedding) => Enumerable.Range(0, vocab)
                .Select(v => Enumerable.Range(0, d).Sum(k => (double)weights.Decoder.Row(i)[k] * gain[k] * unembedding.Row(v)[k]))
                .ToArray();
            var expected = Statistics.Pearson(Logits(weights.GainBase, weights.UnembeddingBase.ToFloat32()),
                Logits(weights.GainFinetune, weights.UnembeddingFinetune.ToFloat32()));
            similarity[i].Should().BeApproximately(expected, 1e-12);
        }
        LogitSimilarity.Compute(Enumerable.Range(0, features).ToArray(), weights, threads: 1).Should().Equal(similarity);
    }
}
