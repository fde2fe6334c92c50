using System.Text.Json;
using SaeAudit.Evaluation.Metrics;
using SaeAudit.Testing;

namespace SaeAudit.Evaluation.Tests.Metrics;

public class HistogramTests
{
    [Fact]
    public void Bins_are_half_open_except_the_last_which_includes_hi()
    {
        // [0, 1] in 4 bins: edges 0, .25, .5, .75, 1.
        var histogram = new Histogram(0, 1, 4);
        foreach (var v in new[] { 0.0, 0.25, 0.2499, 0.5, 0.999, 1.0 }) histogram.Add(v);
        var result = histogram.Result();
        result.Edges.Should().Equal(0, 0.25, 0.5, 0.75, 1);
        // 0 and .2499 → bin 0 (lo is in the first bin); .25 → bin 1 (an edge opens its bin); .5 → bin 2;
        // .999 and hi → bin 3.
        result.Counts.Should().Equal(2, 1, 1, 2);
        result.Underflow.Should().Be(0);
        result.Overflow.Should().Be(0);
    }

    [Fact]
    public void Out_of_range_values_are_counted_and_nan_is_skipped()
    {
        var histogram = new Histogram(-1, 1, 2);
        foreach (var v in new[] { -1.0000001, -5, 1.0000001, double.PositiveInfinity, double.NaN, 0 }) histogram.Add(v);
        var result = histogram.Result();
        result.Underflow.Should().Be(2);
        result.Overflow.Should().Be(2);
        result.Counts.Should().Equal(0, 1); // 0 is the edge of the second bin; NaN left out
    }

    [Fact]
    public void Every_edge_falls_into_the_bin_it_opens()
    {
        // The arithmetic estimate can land one bin off within an ulp of an edge; the edge comparison decides.
        foreach (var (lo, hi, n) in new[] { (-1.0, 1.0, 100), (-8.0, 0.0, 80), (-4.0, 4.0, 80), (0.0, 25.02410269766205, 100), (0.0, 10.0, 100) })
        {
            var histogram = new Histogram(lo, hi, n);
            var edges = histogram.Result().Edges;
            foreach (var e in edges) histogram.Add(e);
            var counts = histogram.Result().Counts;
            counts.Take(n - 1).Should().AllSatisfy(c => c.Should().Be(1));
            counts[^1].Should().Be(2, "the last bin holds its own edge and hi");
        }
    }

    [Fact]
    public void Edges_equal_numpy_linspace_bit_for_bit_as_in_the_reference()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("gpt2-tiny", "reference", "metrics-code-relu-prose.json")));
        var pair = json.RootElement.GetProperty("pairs")[0];
        var median = json.RootElement.GetProperty("reference").GetProperty("extras").GetProperty("calibration")
            .GetProperty("median_norm_base").GetDouble();
        var transfer = pair.GetProperty("transfer");
        var cases = new (JsonElement Histogram, double Lo, double Hi, int Bins)[]
        {
            (pair.GetProperty("activations").GetProperty("cos_histogram"), -1, 1, 100),
            (pair.GetProperty("activations").GetProperty("dist_histogram"), 0, 4 * median, 100),
            (pair.GetProperty("base").GetProperty("sae").GetProperty("log_density_histogram"), -8, 0, 80),
            (pair.GetProperty("base").GetProperty("sae").GetProperty("log_activation_histogram"), -4, 4, 80),
            (transfer.GetProperty("logit_similarity").GetProperty("histogram"), -1, 1, 100),
            (transfer.GetProperty("dead_activation_error").GetProperty("histogram"), 0, 10, 100),
        };
        foreach (var (reference, lo, hi, bins) in cases)
        {
            var expected = reference.GetProperty("edges").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            new Histogram(lo, hi, bins).Result().Edges.Should().Equal(expected);
        }
    }
}
