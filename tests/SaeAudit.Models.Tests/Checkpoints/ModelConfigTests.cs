using System.Text.Json.Nodes;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Testing;

namespace SaeAudit.Models.Tests.Checkpoints;

public class ModelConfigTests
{
    private static ModelConfig Arch(string model) => ModelConfig.Load(Fixtures.Path("arch", model, "config.json"));

    [Theory]
    [InlineData("base", "float32")]
    [InlineData("ft-heavy", "float32")]
    [InlineData("ft-light", "float32")]
    [InlineData("base-bf16", "bfloat16")]
    [InlineData("ft-heavy-bf16", "bfloat16")]
    public void Gpt2Tiny_Parses(string folder, string torchDType)
    {
        var config = ModelConfig.Load(Fixtures.Path("gpt2-tiny", "models", folder, "config.json"));

        config.ModelType.Should().Be("gpt2");
        config.Architecture.Should().Be("GPT2LMHeadModel");
        config.Architectures.Should().Equal("GPT2LMHeadModel");
        (config.HiddenSize, config.Layers, config.Heads, config.KvHeads, config.HeadDim).Should().Be((128, 4, 4, 4, 32));
        config.IntermediateSize.Should().Be(512, "n_inner null means 4 x n_embd");
        (config.VocabSize, config.MaxPositions).Should().Be((4096, 256));
        config.NormEps.Should().Be(1e-5);
        config.Activation.Should().Be("gelu_new");
        config.TieWordEmbeddings.Should().BeTrue();
        (config.BosTokenId, config.EosTokenId, config.PadTokenId).Should().Be((4095, 4095, (int?)null));
        config.TorchDType.Should().Be(torchDType);
        config.RopeTheta.Should().BeNull();
        (config.ScaleAttnWeights, config.ScaleAttnByInverseLayerIdx, config.ReorderAndUpcastAttn).Should().Be((true, false, false));
        config.GetInt("n_ctx").Should().Be(256);
    }

    [Fact]
    public void ArchGpt2_Parses()
    {
        var config = Arch("gpt2");

        (config.HiddenSize, config.Layers, config.Heads, config.IntermediateSize, config.VocabSize, config.MaxPositions)
            .Should().Be((64, 2, 4, 256, 512, 128));
        config.TieWordEmbeddings.Should().BeTrue("GPT-2 ties by default and this config omits the key");
        (config.BosTokenId, config.EosTokenId).Should().Be((511, 511));
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("llama-sharded-bf16")]
    public void Llama_Parses(string folder)
    {
        var config = Arch(folder);

        config.ModelType.Should().Be("llama");
        config.Architecture.Should().Be("LlamaForCausalLM");
        (config.HiddenSize, config.Layers, config.Heads, config.KvHeads, config.HeadDim).Should().Be((64, 2, 4, 2, 16));
        (config.IntermediateSize, config.VocabSize, config.MaxPositions).Should().Be((172, 512, 128));
        config.NormEps.Should().Be(1e-5);
        config.RopeTheta.Should().Be(500000.0);
        config.Activation.Should().Be("silu");
        config.TieWordEmbeddings.Should().BeFalse();
        config.SlidingWindow.Should().BeNull();
        (config.BosTokenId, config.EosTokenId, config.PadTokenId).Should().Be((1, 2, (int?)null));
        config.TorchDType.Should().Be(folder == "llama" ? "float32" : "bfloat16");
    }

    [Fact]
    public void Mistral_Parses()
    {
        var config = Arch("mistral");

        (config.HiddenSize, config.Layers, config.Heads, config.KvHeads, config.HeadDim, config.IntermediateSize)
            .Should().Be((64, 2, 4, 2, 16, 128));
        config.RopeTheta.Should().Be(1000000.0);
        config.SlidingWindow.Should().Be(16);
        config.Activation.Should().Be("silu");
        config.TieWordEmbeddings.Should().BeFalse();
    }

    [Fact]
    public void Gemma_Parses()
    {
        var config = Arch("gemma");

        (config.HiddenSize, config.Heads, config.KvHeads, config.HeadDim).Should().Be((64, 4, 1, 32), "head_dim is independent of hidden/heads");
        config.IntermediateSize.Should().Be(128);
        config.NormEps.Should().Be(1e-6);
        config.RopeTheta.Should().Be(10000.0);
        config.Activation.Should().Be("gelu_pytorch_tanh");
        config.TieWordEmbeddings.Should().BeTrue();
        (config.BosTokenId, config.EosTokenId, config.PadTokenId).Should().Be((2, 1, 0));
        config.SlidingWindow.Should().BeNull();
        config.AttnLogitSoftcapping.Should().BeNull();
    }

    [Fact]
    public void Gemma2_Parses()
    {
        var config = Arch("gemma2");

        (config.HiddenSize, config.Layers, config.Heads, config.KvHeads, config.HeadDim, config.IntermediateSize)
            .Should().Be((64, 3, 4, 2, 32, 160));
        config.SlidingWindow.Should().Be(12);
        config.AttnLogitSoftcapping.Should().Be(5.0);
        config.FinalLogitSoftcapping.Should().Be(3.0);
        config.QueryPreAttnScalar.Should().Be(24);
        config.TieWordEmbeddings.Should().BeTrue("Gemma2 ties by default and this config omits the key");
        config.Activation.Should().Be("gelu_pytorch_tanh");
        config.GetOptionalString("cache_implementation").Should().Be("hybrid");
    }

    [Fact]
    public void GptNeox_Parses()
    {
        var config = Arch("gpt_neox");

        (config.HiddenSize, config.Layers, config.Heads, config.KvHeads, config.HeadDim, config.IntermediateSize)
            .Should().Be((64, 2, 4, 4, 16, 144));
        config.NormEps.Should().Be(1e-5);
        config.RotaryPct.Should().Be(0.25);
        config.RopeTheta.Should().Be(10000);
        config.UseParallelResidual.Should().BeTrue();
        config.Activation.Should().Be("gelu");
        config.TieWordEmbeddings.Should().BeFalse();
        (config.BosTokenId, config.EosTokenId).Should().Be((0, 0));
    }

    [Fact]
    public void TypedAccessors_ReadPresentAbsentAndNullFields()
    {
        var config = ModelConfig.Load(Fixtures.Path("gpt2-tiny", "models", "base"));

        config.GetInt("n_layer").Should().Be(4);
        config.GetOptionalInt("n_inner").Should().BeNull("it is JSON null");
        config.GetOptionalInt("absent").Should().BeNull();
        config.GetDouble("initializer_range").Should().Be(0.02);
        config.GetOptionalDouble("absent").Should().BeNull();
        config.GetOptionalString("summary_type").Should().Be("cls_index");
        config.GetOptionalString("summary_activation").Should().BeNull();
        config.GetBool("use_cache", false).Should().BeTrue();
        config.GetBool("absent", true).Should().BeTrue();
        config.Has("n_inner").Should().BeTrue();
        config.Has("absent").Should().BeFalse();
        TestFiles.ShouldFailWith(() => config.GetInt("absent"), "config.json", "absent", "missing", "integer");
        TestFiles.ShouldFailWith(() => config.GetBool("summary_type", false), "config.json", "summary_type", "true or false");
        TestFiles.ShouldFailWith(() => config.GetDouble("summary_type"), "config.json", "summary_type", "a number");
        TestFiles.ShouldFailWith(() => config.GetOptionalString("n_layer"), "config.json", "n_layer", "a string");
    }

    // ---- edited copies of real configs ----

    private static ModelConfig LoadEdited(TempDirectory dir, string model, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(Fixtures.Path("arch", model, "config.json")))!.AsObject();
        edit(json);
        File.WriteAllText(dir.File("config.json"), json.ToJsonString());
        return ModelConfig.Load(dir.File("config.json"));
    }

    [Fact]
    public void FolderPath_LoadsItsConfigJson() =>
        ModelConfig.Load(Fixtures.Path("arch", "llama")).ModelType.Should().Be("llama");

    [Fact]
    public void TokenIdList_TakesTheFirstEntry()
    {
        using var dir = new TempDirectory();
        var config = LoadEdited(dir, "llama", c => c["eos_token_id"] = new JsonArray(2, 7));

        config.EosTokenId.Should().Be(2);
    }

    [Fact]
    public void HfDefaults_ApplyWhenOptionalKeysAreAbsent()
    {
        using var dir = new TempDirectory();
        var config = LoadEdited(dir, "llama", c =>
        {
            c.Remove("num_key_value_heads");
            c.Remove("head_dim");
            c.Remove("rope_theta");
            c.Remove("tie_word_embeddings");
        });

        (config.KvHeads, config.HeadDim).Should().Be((4, 16));
        config.RopeTheta.Should().Be(10000.0);
        config.TieWordEmbeddings.Should().BeFalse();
    }

    [Fact]
    public void MistralWithNullSlidingWindow_HasFullAttention()
    {
        using var dir = new TempDirectory();

        LoadEdited(dir, "mistral", c => c["sliding_window"] = null).SlidingWindow.Should().BeNull();
    }

    [Fact]
    public void RopeParametersWithDefaultType_AreAccepted()
    {
        using var dir = new TempDirectory();
        var config = LoadEdited(dir, "llama", c =>
        {
            c.Remove("rope_theta");
            c.Remove("rope_scaling");
            c["rope_parameters"] = new JsonObject { ["rope_type"] = "default", ["rope_theta"] = 250000.0 };
        });

        config.RopeTheta.Should().Be(250000.0);
    }

    [Fact]
    public void MissingField_IsRejected()
    {
        using var dir = new TempDirectory();

        TestFiles.ShouldFailWith(() => LoadEdited(dir, "llama", c => c.Remove("intermediate_size")),
            dir.File("config.json"), "intermediate_size", "missing", "integer");
    }

    [Fact]
    public void WrongTypedField_IsRejected()
    {
        using var dir = new TempDirectory();

        TestFiles.ShouldFailWith(() => LoadEdited(dir, "gpt2", c => c["n_embd"] = "64"),
            dir.File("config.json"), "n_embd", "\"64\" (string)", "expected an integer");
    }

    [Fact]
    public void NonPositiveSize_IsRejected()
    {
        using var dir = new TempDirectory();

        TestFiles.ShouldFailWith(() => LoadEdited(dir, "gemma", c => c["num_hidden_layers"] = 0),
            "config.json", "num_hidden_layers", "positive");
    }

    [Fact]
    public void KvHeadsNotDividingHeads_AreRejected()
    {
        using var dir = new TempDirectory();

        TestFiles.ShouldFailWith(() => LoadEdited(dir, "llama", c => c["num_key_value_heads"] = 3),
            "config.json", "num_key_value_heads", "does not divide");
    }

    [Fact]
    public void RopeScaling_IsRejected()
    {
        using var dir = new TempDirectory();

        TestFiles.ShouldFailWith(() => LoadEdited(dir, "llama", c => c["rope_scaling"] = new JsonObject { ["rope_type"] = "llama3", ["factor"] = 8.0 }),
            "config.json", "rope_scaling", "llama3", "not supported");
    }

    [Fact]
    public void UnsupportedModelType_IsRejectedWithTheSupportedList()
    {
        using var dir = new TempDirectory();

        TestFiles.ShouldFailWith(() => LoadEdited(dir, "llama", c => c["model_type"] = "bert"),
            "config.json", "model_type", "\"bert\" is not supported", "gemma2", "gpt_neox", "llama");
    }

    [Fact]
    public void MissingModelType_IsRejected()
    {
        using var dir = new TempDirectory();

        TestFiles.ShouldFailWith(() => LoadEdited(dir, "llama", c => c.Remove("model_type")), "config.json", "model_type", "missing");
    }

    [Fact]
    public void MissingFile_IsRejected()
    {
        using var dir = new TempDirectory();

        TestFiles.ShouldFailWith(() => ModelConfig.Load(dir.Path), dir.File("config.json"), "not found");
    }

    [Fact]
    public void InvalidJson_IsRejected()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("config.json"), "{\"model_type\": \"gpt2\",,}");

        TestFiles.ShouldFailWith(() => ModelConfig.Load(dir.File("config.json")), "config.json", "not valid JSON");
    }
}
