using System.Runtime.InteropServices;
using SaeAudit.Tensors;
using SaeAudit.Testing;

namespace SaeAudit.Models.Tests.Architectures;

/// <summary>What the audit relies on to stream: logits made in row chunks from the final residual are the whole
/// batch's logits bit for bit, and a reused prefix holds what a fresh one would.</summary>
public sealed class HookedTransformerTests
{
    [Theory]
    [InlineData("gpt2-tiny/models/base", "blocks.2.hook_resid_pre")]
    [InlineData("arch/gemma2", "blocks.1.hook_mlp_out")]
    [InlineData("arch/gpt_neox", "blocks.0.hook_attn_out")]
    public void Logits_from_row_chunks_of_the_final_residual_equal_the_whole_batch_logits(string modelPath, string hookName)
    {
        using var model = ModelLoader.Load(Fixtures.Path(modelPath.Split('/')), new CpuBackend(2));
        var tokens = Tokens(model, rows: 3, sequence: 40);
        var prefix = model.RunToHook(tokens, HookPoint.Parse(hookName));
        var substitute = Tensor.Zeros(prefix.Activation.Shape);
        for (var i = 0; i < substitute.Data.Length; i++) substitute.Data[i] = prefix.Activation.Data[i] * 0.5f;
        var whole = model.RunFromHook(prefix, substitute);

        var residual = Tensor.Zeros(tokens.Tokens, model.DModel);
        model.ContinueFromHook(prefix, substitute, residual);
        var clean = model.RunFromHook(prefix, prefix.Activation);
        var cleanResidual = Tensor.Zeros(tokens.Tokens, model.DModel);
        model.ContinueFromHook(prefix, prefix.Activation, cleanResidual);
        foreach (var (first, count) in new[] { (0, 17), (17, 1), (18, 64), (82, 38) })
        {
            var chunk = Tensor.Zeros(count, model.VocabSize);
            model.UnembedRows(residual, first, chunk);
            BitIdentical(chunk.Data, whole.Data.AsSpan(first * model.VocabSize, count * model.VocabSize)).Should().BeTrue($"rows [{first}, {first + count})");
            // Several runs stacked in one GEMM (how the audit unembeds clean, SAE and zero runs): each block the same.
            var stacked = Tensor.Zeros(3 * count, model.VocabSize);
            model.UnembedRows([cleanResidual, residual, cleanResidual], first, stacked);
            var block = count * model.VocabSize;
            BitIdentical(stacked.Data.AsSpan(0, block), clean.Data.AsSpan(first * model.VocabSize, block)).Should().BeTrue();
            BitIdentical(stacked.Data.AsSpan(block, block), chunk.Data).Should().BeTrue();
            BitIdentical(stacked.Data.AsSpan(2 * block, block), clean.Data.AsSpan(first * model.VocabSize, block)).Should().BeTrue();
        }
    }

    [Theory]
    [InlineData("blocks.1.hook_resid_post")]
    [InlineData("blocks.2.hook_attn_out")]
    public void A_reused_prefix_holds_what_a_fresh_one_would(string hookName)
    {
        using var model = ModelLoader.Load(Fixtures.Path("gpt2-tiny", "models", "base"), new CpuBackend(2));
        var hook = HookPoint.Parse(hookName);
        var first = Tokens(model, rows: 2, sequence: 30, seed: 1);
        var second = Tokens(model, rows: 2, sequence: 30, seed: 2);
        var reused = model.RunToHook(first, hook);
        model.RunToHook(second, hook, reused).Should().BeSameAs(reused);
        var fresh = model.RunToHook(second, hook);
        reused.Tokens.Should().Be(second);
        BitIdentical(reused.Activation.Data, fresh.Activation.Data).Should().BeTrue();
        BitIdentical(model.RunFromHook(reused, reused.Activation).Data, model.RunFromHook(fresh, fresh.Activation).Data).Should().BeTrue();
        model.RunToHook(Tokens(model, rows: 1, sequence: 30), hook, reused).Should().NotBeSameAs(reused, "another shape needs new buffers");
    }

    private static TokenBatch Tokens(HookedTransformer model, int rows, int sequence, int seed = 0)
    {
        var random = new Random(seed);
        return new TokenBatch(Enumerable.Range(0, rows * sequence).Select(_ => random.Next(model.VocabSize)).ToArray(), rows, sequence);
    }

    private static bool BitIdentical(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        MemoryMarshal.AsBytes(a).SequenceEqual(MemoryMarshal.AsBytes(b));
}
