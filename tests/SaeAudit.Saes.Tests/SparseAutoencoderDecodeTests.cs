using System.Runtime.InteropServices;
using SaeAudit.Models;
using SaeAudit.Tensors;

namespace SaeAudit.Saes.Tests;

/// <summary>Dense rows of a mixed batch are decoded in fixed-size groups: each must come out exactly as when the dense
/// rows are decoded on their own in one GEMM.</summary>
public class SparseAutoencoderDecodeTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Dense_rows_of_a_mixed_batch_decode_as_they_do_on_their_own(int threads)
    {
        const int dIn = 24, dSae = 40, rows = 700;
        var random = new Random(3);
        Tensor Random(params int[] shape)
        {
            var t = Tensor.Zeros(shape);
            for (var i = 0; i < t.Data.Length; i++) t.Data[i] = (float)(2 * random.NextDouble() - 1);
            return t;
        }
        var config = new SaeConfig
        {
            Path = "/virtual/cfg.json",
            Architecture = SaeArchitecture.Standard,
            HookName = "blocks.0.hook_resid_pre",
            Hook = HookPoint.Parse("blocks.0.hook_resid_pre"),
            DIn = dIn,
            DSae = dSae,
            DType = "float32",
            ApplyBDecToInput = false,
            PrependBos = true,
        };
        var sae = new SparseAutoencoder(config, Random(dIn, dSae), Random(dSae), Random(dSae, dIn), Random(dIn), null, new CpuBackend(threads));

        // Rows 0, 3, 6, ... are sparse (one feature); the others dense (every feature): 466 dense rows, two groups.
        var features = Random(rows, dSae);
        for (var r = 0; r < rows; r += 3)
        {
            features.Row(r).Clear();
            features.Row(r)[r % dSae] = 1.5f;
        }
        var dense = Enumerable.Range(0, rows).Where(r => r % 3 != 0).ToArray();
        var denseOnly = Tensor.Zeros(dense.Length, dSae);
        for (var j = 0; j < dense.Length; j++) features.Row(dense[j]).CopyTo(denseOnly.Row(j));

        var mixed = sae.Decode(features);
        var alone = sae.Decode(denseOnly);
        for (var j = 0; j < dense.Length; j++)
            MemoryMarshal.AsBytes(mixed.Row(dense[j])).SequenceEqual(MemoryMarshal.AsBytes(alone.Row(j))).Should().BeTrue($"row {dense[j]}");
    }
}
