using SaeAudit.Evaluation.Sampling;

namespace SaeAudit.Evaluation.Tests.Sampling;

public class SplitMix64Tests
{
    [Fact]
    public void Seed_zero_gives_the_published_first_outputs()
    {
        var random = new SplitMix64(0);

        random.Next().Should().Be(0xE220A8397B1DCDAFUL);
        random.Next().Should().Be(0x6E789E6AA1B965F4UL);
        random.Next().Should().Be(0x06C45D188009454FUL);
    }

    [Fact]
    public void Shuffle_follows_the_SPEC_algorithm()
    {
        // Hand-computed with the SPEC §2 algorithm in Python (uint64 arithmetic):
        //   M=2**64-1; s=0
        //   def nxt(): global s; s=(s+0x9E3779B97F4A7C15)&M; z=s; z=((z^(z>>30))*0xBF58476D1CE4E5B9)&M
        //              z=((z^(z>>27))*0x94D049BB133111EB)&M; return z^(z>>31)
        //   a=list(range(10))
        //   for i in range(9,0,-1): j=nxt()%(i+1); a[i],a[j]=a[j],a[i]
        //   -> [6, 3, 2, 9, 8, 1, 4, 7, 0, 5]
        var items = Enumerable.Range(0, 10).ToArray();

        SplitMix64.Shuffle(items, 0);

        items.Should().Equal(6, 3, 2, 9, 8, 1, 4, 7, 0, 5);
    }

    [Fact]
    public void Shuffle_of_zero_or_one_item_is_a_no_op()
    {
        var empty = Array.Empty<int>();
        var one = new[] { 42 };

        SplitMix64.Shuffle(empty, 5);
        SplitMix64.Shuffle(one, 5);

        one.Should().Equal(42);
    }

    [Fact]
    public void Sample_takes_the_first_k_of_the_shuffle_sorted()
    {
        // The shuffle of 0..9 with seed 0 starts 6, 3, 2, 9 (see above).
        SplitMix64.Sample(Enumerable.Range(0, 10).ToArray(), 4, 0).Should().Equal(2, 3, 6, 9);
        SplitMix64.Sample([5, 7], 10, 0).Should().Equal(5, 7);
    }
}
