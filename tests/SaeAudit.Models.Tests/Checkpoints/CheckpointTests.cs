using System.Text.Json.Nodes;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Testing;

namespace SaeAudit.Models.Tests.Checkpoints;

public class CheckpointTests
{
    private static readonly string Gpt2Base = Fixtures.Path("gpt2-tiny", "models", "base");
    private static readonly string Llama = Fixtures.Path("arch", "llama");
    private static readonly string LlamaSharded = Fixtures.Path("arch", "llama-sharded-bf16");
    private const string Shard1 = "model-00001-of-00002.safetensors";
    private const string Shard2 = "model-00002-of-00002.safetensors";

    [Fact]
    public void Folder_OpensModelSafetensors()
    {
        using var checkpoint = Checkpoint.Open(Gpt2Base);

        checkpoint.Directory.Should().Be(Path.GetFullPath(Gpt2Base));
        checkpoint.IndexFile.Should().BeNull();
        checkpoint.Files.Should().Equal(Path.Combine(Path.GetFullPath(Gpt2Base), "model.safetensors"));
        checkpoint.TensorNames.Should().HaveCount(52).And.BeInAscendingOrder(StringComparer.Ordinal);
        checkpoint.ParameterCount.Should().Be(1350400);
        checkpoint.ParameterCountByDType.Should().Equal(new Dictionary<string, long> { ["F32"] = 1350400 });
        checkpoint.Contains("wte.weight").Should().BeTrue();
        checkpoint.Contains("lm_head.weight").Should().BeFalse("gpt2-tiny ties lm_head to wte");
    }

    [Fact]
    public void Bf16Folder_CountsParametersByDType()
    {
        using var checkpoint = Checkpoint.Open(Fixtures.Path("gpt2-tiny", "models", "base-bf16"));

        checkpoint.ParameterCount.Should().Be(1350400);
        checkpoint.ParameterCountByDType.Should().Equal(new Dictionary<string, long> { ["BF16"] = 1350400 });
        var entry = checkpoint.Entry("h.0.attn.c_attn.weight");
        entry.DType.Should().Be(SafetensorsDType.BF16);
        entry.Shape.Should().Equal(128, 384);
        entry.File.Should().EndWith("model.safetensors");
    }

    [Fact]
    public void SafetensorsFilePath_OpensThatFile()
    {
        using var checkpoint = Checkpoint.Open(Path.Combine(Gpt2Base, "model.safetensors"));

        checkpoint.Directory.Should().Be(Path.GetFullPath(Gpt2Base));
        checkpoint.LoadFloat32("wpe.weight", 256, 128).Shape.Should().Equal(256, 128);
    }

    [Fact]
    public void ShardedBf16Llama_MatchesTheRoundedF32Llama()
    {
        using var f32 = Checkpoint.Open(Llama);
        using var bf16 = Checkpoint.Open(LlamaSharded);

        bf16.TensorNames.Should().Equal(f32.TensorNames);
        bf16.TensorNames.Should().HaveCount(21);
        bf16.ParameterCount.Should().Be(f32.ParameterCount);
        bf16.ParameterCountByDType.Keys.Should().Equal("BF16");
        foreach (var name in f32.TensorNames)
        {
            var expected = f32.LoadFloat32(name);
            var widened = bf16.LoadFloat32(name, expected.Shape);
            for (var i = 0; i < expected.Data.Length; i++)
                if (widened.Data[i] != TestFiles.RoundToBFloat16(expected.Data[i]))
                    Assert.Fail($"{name}[{i}]: {widened.Data[i]:R} vs RNE({expected.Data[i]:R})");
        }
    }

    [Fact]
    public void ShardedCheckpoint_KnowsWhichShardHoldsEachTensor()
    {
        using var checkpoint = Checkpoint.Open(LlamaSharded);
        var folder = Path.GetFullPath(LlamaSharded);

        checkpoint.IndexFile.Should().Be(Path.Combine(folder, Checkpoint.IndexFileName));
        checkpoint.Files.Should().Equal(
            Path.Combine(folder, Checkpoint.IndexFileName), Path.Combine(folder, Shard1), Path.Combine(folder, Shard2));
        checkpoint.Entry("lm_head.weight").File.Should().Be(Path.Combine(folder, Shard2));
        checkpoint.Entry("model.layers.1.self_attn.q_proj.weight").File.Should().Be(Path.Combine(folder, Shard1));
        checkpoint.Entry("model.layers.1.self_attn.k_proj.weight").Shape.Should().Equal(32, 64);
    }

    [Fact]
    public void IndexPath_OpensTheShardedCheckpoint()
    {
        using var checkpoint = Checkpoint.Open(Path.Combine(LlamaSharded, Checkpoint.IndexFileName));

        checkpoint.TensorNames.Should().HaveCount(21);
    }

    [Fact]
    public void LlamaTensors_HaveTheDocumentedShapes()
    {
        using var checkpoint = Checkpoint.Open(Llama);

        checkpoint.Entry("lm_head.weight").Shape.Should().Equal(512, 64);
        checkpoint.Entry("model.layers.0.mlp.down_proj.weight").Shape.Should().Equal(64, 172);
        checkpoint.Entry("model.layers.0.self_attn.k_proj.weight").Shape.Should().Equal(32, 64);
        checkpoint.Entry("model.norm.weight").Shape.Should().Equal(64);
    }

    [Fact]
    public void MissingTensor_NamesTheFolderAndTensor() =>
        TestFiles.ShouldFailWith(() =>
        {
            using var checkpoint = Checkpoint.Open(Gpt2Base);
            checkpoint.LoadFloat32("lm_head.weight");
        }, Path.GetFullPath(Gpt2Base), "'lm_head.weight'", "not found");

    [Fact]
    public void ShapeMismatch_NamesTheTensorAndBothShapes() =>
        TestFiles.ShouldFailWith(() =>
        {
            using var checkpoint = Checkpoint.Open(Gpt2Base);
            checkpoint.LoadFloat32("wte.weight", 4096, 256);
        }, "model.safetensors", "'wte.weight'", "[4096, 128]", "[4096, 256]");

    // ---- bad input ----

    /// <summary>A copy of the sharded llama (index + both shards) in a temp folder, the index edited by <paramref name="edit"/>.</summary>
    private static TempDirectory ShardedCopy(Action<JsonObject>? edit = null)
    {
        var dir = new TempDirectory();
        foreach (var name in new[] { Checkpoint.IndexFileName, Shard1, Shard2 })
            File.Copy(Path.Combine(LlamaSharded, name), dir.File(name));
        if (edit is not null)
        {
            var index = JsonNode.Parse(File.ReadAllText(dir.File(Checkpoint.IndexFileName)))!.AsObject();
            edit(index);
            File.WriteAllText(dir.File(Checkpoint.IndexFileName), index.ToJsonString());
        }
        return dir;
    }

    [Fact]
    public void IndexNamingAMissingShard_IsRejected()
    {
        using var dir = ShardedCopy();
        File.Delete(dir.File(Shard2));

        TestFiles.ShouldFailWith(() => Checkpoint.Open(dir.Path), Checkpoint.IndexFileName, Shard2, "does not exist", "weight_map[\"");
    }

    [Fact]
    public void IndexListingATensorAbsentFromItsShard_IsRejected()
    {
        using var dir = ShardedCopy(index => index["weight_map"]!["lm_head.weight"] = Shard1);

        TestFiles.ShouldFailWith(() => Checkpoint.Open(dir.Path), Shard1, "'lm_head.weight'", "not present in this shard");
    }

    [Fact]
    public void IndexWithoutWeightMap_IsRejected()
    {
        using var dir = ShardedCopy(index => index.Remove("weight_map"));

        TestFiles.ShouldFailWith(() => Checkpoint.Open(dir.Path), Checkpoint.IndexFileName, "weight_map", "missing");
    }

    [Fact]
    public void IndexWithNonStringShard_IsRejected()
    {
        using var dir = ShardedCopy(index => index["weight_map"]!["model.norm.weight"] = 2);

        TestFiles.ShouldFailWith(() => Checkpoint.Open(dir.Path), Checkpoint.IndexFileName, "weight_map[\"model.norm.weight\"]", "expected a shard file name");
    }

    [Fact]
    public void IndexPointingOutsideTheFolder_IsRejected()
    {
        using var dir = ShardedCopy(index => index["weight_map"]!["model.norm.weight"] = "../elsewhere.safetensors");

        TestFiles.ShouldFailWith(() => Checkpoint.Open(dir.Path), Checkpoint.IndexFileName, "model.norm.weight", "outside the model folder");
    }

    [Fact]
    public void IndexNotJson_IsRejected()
    {
        using var dir = ShardedCopy();
        File.WriteAllText(dir.File(Checkpoint.IndexFileName), "{\"weight_map\": {");

        TestFiles.ShouldFailWith(() => Checkpoint.Open(dir.Path), Checkpoint.IndexFileName, "not valid JSON");
    }

    [Fact]
    public void FolderWithoutWeights_IsRejected()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("pytorch_model.bin"), "");

        TestFiles.ShouldFailWith(() => Checkpoint.Open(dir.Path), dir.Path, "model.safetensors", "pytorch_model.bin");
    }

    [Fact]
    public void MissingPath_IsRejected()
    {
        using var dir = new TempDirectory();

        TestFiles.ShouldFailWith(() => Checkpoint.Open(dir.File("nope")), dir.File("nope"), "does not exist");
    }
}
