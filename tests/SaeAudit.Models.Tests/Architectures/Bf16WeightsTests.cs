using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Models.Tests.Checkpoints;
using SaeAudit.Tensors;
using SaeAudit.Testing;

namespace SaeAudit.Models.Tests.Architectures;

/// <summary>A BF16 checkpoint stays BF16 in memory (mapped from the file, widened inside the GEMM's packing step and
/// the embedding lookup): its forward pass must be bit-identical to that of the same weights widened to float32 when
/// loaded (the old path, here a float32 copy of the checkpoint) — at every hook and in the logits.</summary>
public sealed class Bf16WeightsTests
{
    [Theory]
    [InlineData("gpt2-tiny/models/base-bf16", "gpt2-tiny/reference/input_ids.npy")]
    [InlineData("arch/llama-sharded-bf16", "arch/llama-sharded-bf16/ref/len40/input_ids.npy")]
    public void A_bf16_checkpoint_runs_bit_identically_to_its_float32_widening(string model, string inputIds)
    {
        var ids = NpyFile.Read(Fixtures.Path(inputIds.Split('/')));
        var tokens = ids.Shape.Count == 1 ? new TokenBatch(ids.ToInt32(), 1, ids.Shape[0]) : new TokenBatch(ids.ToInt32(), ids.Shape[0], ids.Shape[1]);
        using var widened = new TempDirectory();
        WriteFloat32Copy(Fixtures.Path(model.Split('/')), widened.Path);

        foreach (var threads in new[] { 1, 2 })
        {
            using var bf16 = ModelLoader.Load(Fixtures.Path(model.Split('/')), new CpuBackend(threads));
            using var f32 = ModelLoader.Load(widened.Path, new CpuBackend(threads));
            bf16.Model.Unembedding.Type.Should().Be(WeightType.BFloat16, "the weights are used as stored");
            f32.Model.Unembedding.Type.Should().Be(WeightType.Float32);

            var (hooksBf16, logitsBf16) = Run(bf16, tokens);
            var (hooksF32, logitsF32) = Run(f32, tokens);
            hooksBf16.Keys.Should().BeEquivalentTo(hooksF32.Keys);
            foreach (var (hook, activation) in hooksF32)
                BitIdentical(hooksBf16[hook], activation).Should().BeTrue($"{hook} with {threads} threads");
            BitIdentical(logitsBf16, logitsF32).Should().BeTrue($"the logits with {threads} threads");
        }
    }

    private static (Dictionary<HookPoint, float[]> Hooks, float[] Logits) Run(HookedTransformer model, TokenBatch tokens)
    {
        var hooks = new Dictionary<HookPoint, float[]>();
        var logits = model.Run(tokens, (hook, x) => hooks[hook] = (float[])x.Data.Clone());
        return (hooks, logits.Data);
    }

    private static bool BitIdentical(float[] a, float[] b) =>
        MemoryMarshal.AsBytes(a.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(b.AsSpan()));

    /// <summary>config.json and one model.safetensors with every tensor widened to F32, the header padded to 8 bytes
    /// as safetensors writers do (so the copy's weights are mapped in place too).</summary>
    private static void WriteFloat32Copy(string source, string destination)
    {
        File.Copy(Path.Combine(source, "config.json"), Path.Combine(destination, "config.json"));
        using var checkpoint = Checkpoint.Open(source);
        var entries = new List<string>();
        var data = new MemoryStream();
        foreach (var name in checkpoint.TensorNames)
        {
            var tensor = checkpoint.LoadFloat32(name);
            var begin = data.Length;
            data.Write(MemoryMarshal.AsBytes(tensor.Data.AsSpan()));
            entries.Add($"\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", tensor.Shape)}],\"data_offsets\":[{begin},{data.Length}]}}");
        }
        var header = "{" + string.Join(",", entries) + "}";
        header = header.PadRight((header.Length + 7) / 8 * 8);
        using var file = File.Create(Path.Combine(destination, Checkpoint.SingleFileName));
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        file.Write(length);
        file.Write(Encoding.ASCII.GetBytes(header));
        data.WriteTo(file);
    }
}
