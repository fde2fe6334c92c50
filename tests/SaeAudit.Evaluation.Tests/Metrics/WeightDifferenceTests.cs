using SaeAudit.Evaluation.Metrics;
using SaeAudit.Tensors;
using static SaeAudit.Evaluation.Tests.Metrics.MetricsTestData;

namespace SaeAudit.Evaluation.Tests.Metrics;

public class WeightDifferenceTests
{
    [Fact]
    public void Relative_changes_per_tensor_and_group_with_added_vocabulary_rows()
    {
        // GPT-2 keys with 'transformer.' (stripped in the result), a mask buffer (skipped), tied unembedding.
        //   wte       B [[1,0],[0,1],[1,1]] (|W|² 4)   F adds a 4th row; shared rows differ by [0,1] → 1/2
        //   h.0 c_fc  B [3,4] (25)                     F [0,4]: |ΔW|² 9 → 3/5
        //   ln_f      B [1,1] (2)                      F [1,1] → 0
        // Groups: embedding = wte = .5, blocks.0 = .6, final_norm = 0, unembedding (tied wte) = .5.
        // Unembed norm ratio over the shared rows: sqrt(1 + 4 + 2) / sqrt(4).
        var baseTensors = new Dictionary<string, Tensor>
        {
            ["transformer.wte.weight"] = Matrix(3, 2, 1, 0, 0, 1, 1, 1),
            ["transformer.h.0.mlp.c_fc.weight"] = new([3, 4], 2),
            ["transformer.h.0.attn.bias"] = new([1, 0, 1, 1], 1, 1, 2, 2),
            ["transformer.ln_f.weight"] = new([1, 1], 2),
        };
        var finetuneTensors = new Dictionary<string, Tensor>
        {
            ["transformer.wte.weight"] = Matrix(4, 2, 1, 0, 0, 2, 1, 1, 5, 5),
            ["transformer.h.0.mlp.c_fc.weight"] = new([0, 4], 2),
            ["transformer.h.0.attn.bias"] = new([0, 0, 0, 0], 1, 1, 2, 2),
            ["transformer.ln_f.weight"] = new([1, 1], 2),
        };
        var r = WeightDifference.Compute(new WeightTensors(baseTensors.Keys, k => StoredTensor.Of(baseTensors[k])),
            new WeightTensors(finetuneTensors.Keys, k => StoredTensor.Of(finetuneTensors[k])));

        r.Tensors.Keys.Should().Equal("h.0.mlp.c_fc.weight", "ln_f.weight", "wte.weight");
        r.Tensors["wte.weight"].Should().BeApproximately(0.5, 1e-15);
        r.Tensors["h.0.mlp.c_fc.weight"].Should().BeApproximately(0.6, 1e-15);
        r.Tensors["ln_f.weight"].Should().Be(0);
        r.Layers.Keys.Should().Equal("embedding", "blocks.0", "final_norm", "unembedding");
        r.Layers.Values.Should().Equal([0.5, 0.6, 0, 0.5], (a, e) => Math.Abs(a - e) < 1e-15);
        r.UnembedNormRatio.Should().BeApproximately(Math.Sqrt(7) / 2, 1e-15);
        r.Notes.Should().ContainSingle().Which.Should().Contain("wte.weight").And.Contain("3 shared rows");
    }

    [Fact]
    public void Group_value_pools_the_tensors_of_a_block()
    {
        // Block 1: a [3,4] → [3,0] (|ΔW|² 16, |W|² 25) and b [0,5] → [0,5] (0, 25): sqrt(16)/sqrt(50).
        // Untied lm_head: its own group; the embedding is not the unembedding.
        var baseTensors = new Dictionary<string, Tensor>
        {
            ["model.layers.1.a.weight"] = new([3, 4], 2),
            ["model.layers.1.b.weight"] = new([0, 5], 2),
            ["model.embed_tokens.weight"] = new([1, 1], 1, 2),
            ["lm_head.weight"] = new([2, 0], 1, 2),
        };
        var finetuneTensors = new Dictionary<string, Tensor>
        {
            ["model.layers.1.a.weight"] = new([3, 0], 2),
            ["model.layers.1.b.weight"] = new([0, 5], 2),
            ["model.embed_tokens.weight"] = new([1, 2], 1, 2),
            ["lm_head.weight"] = new([3, 0], 1, 2),
        };
        var r = WeightDifference.Compute(new WeightTensors(baseTensors.Keys, k => StoredTensor.Of(baseTensors[k])),
            new WeightTensors(finetuneTensors.Keys, k => StoredTensor.Of(finetuneTensors[k])));
        r.Layers["blocks.1"].Should().BeApproximately(4 / Math.Sqrt(50), 1e-15);
        r.Layers["embedding"].Should().BeApproximately(1 / Math.Sqrt(2), 1e-15);
        r.Layers["unembedding"].Should().BeApproximately(0.5, 1e-15);
        r.UnembedNormRatio.Should().BeApproximately(1.5, 1e-15);
        r.Notes.Should().BeNull();
    }

    [Fact]
    public void Chunked_sums_are_exact_float64_over_many_chunks()
    {
        // 200 000 elements span several chunks: B = 1, F = 1.5 → Σ(ΔW)² = 50 000, Σ W_B² = 200 000.
        var w = Enumerable.Repeat(1f, 200_000).ToArray();
        var wf = Enumerable.Repeat(1.5f, 200_000).ToArray();
        WeightDifference.Sums(StoredTensor.Of(new Tensor(w, w.Length)).Read, StoredTensor.Of(new Tensor(wf, wf.Length)).Read, w.Length).Should().Be((50_000.0, 200_000.0, 450_000.0));
    }

    [Theory]
    // GPT-2 (keys with 'transformer.' stripped)
    [InlineData("wte.weight", "embedding")]
    [InlineData("wpe.weight", "embedding")]
    [InlineData("h.11.attn.c_attn.weight", "blocks.11")]
    [InlineData("ln_f.bias", "final_norm")]
    [InlineData("lm_head.weight", "unembedding")]
    // Llama / Mistral / Gemma
    [InlineData("model.embed_tokens.weight", "embedding")]
    [InlineData("model.layers.3.self_attn.q_proj.weight", "blocks.3")]
    [InlineData("model.norm.weight", "final_norm")]
    // GPT-NeoX
    [InlineData("gpt_neox.embed_in.weight", "embedding")]
    [InlineData("gpt_neox.layers.5.attention.query_key_value.weight", "blocks.5")]
    [InlineData("gpt_neox.final_layer_norm.weight", "final_norm")]
    [InlineData("embed_out.weight", "unembedding")]
    [InlineData("score.weight", null)]
    public void Groups_of_the_three_naming_schemes(string name, string? group) =>
        WeightGroups.Group(name).Should().Be(group);

    [Fact]
    public void Names_buffers_and_the_unembedding()
    {
        WeightGroups.CanonicalName("transformer.h.0.ln_1.weight").Should().Be("h.0.ln_1.weight");
        WeightGroups.CanonicalName("model.norm.weight").Should().Be("model.norm.weight");
        WeightGroups.IsBuffer("h.0.attn.bias").Should().BeTrue();
        WeightGroups.IsBuffer("h.0.attn.masked_bias").Should().BeTrue();
        WeightGroups.IsBuffer("h.0.attn.c_attn.bias").Should().BeFalse();
        WeightGroups.IsBuffer("gpt_neox.layers.0.attention.bias").Should().BeTrue();
        WeightGroups.IsBuffer("model.layers.0.self_attn.rotary_emb.inv_freq").Should().BeTrue();
        WeightGroups.UnembeddingName(["wte.weight", "h.0.ln_1.weight"]).Should().Be("wte.weight");
        WeightGroups.UnembeddingName(["wte.weight", "lm_head.weight"]).Should().Be("lm_head.weight");
        WeightGroups.UnembeddingName(["model.embed_tokens.weight", "model.norm.weight"]).Should().Be("model.embed_tokens.weight");
        WeightGroups.UnembeddingName(["gpt_neox.embed_in.weight", "embed_out.weight"]).Should().Be("embed_out.weight");
    }
}
