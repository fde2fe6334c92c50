using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;
using SaeAudit.Testing;
using Xunit.Abstractions;

namespace SaeAudit.Models.Tests.Architectures;

/// <summary>Every architecture against the float32 PyTorch references of <c>fixtures/arch</c> (random-init models of
/// each family, and the Llama weights as sharded BF16): every hook file and the logits within SPEC §10's 1e-4.</summary>
public sealed class ArchConformanceTests(ITestOutputHelper output)
{
    public static readonly string[] Models = ["llama", "mistral", "gemma", "gemma2", "gpt_neox", "gpt2", "llama-sharded-bf16"];

    public static TheoryData<string, int> Cases()
    {
        var cases = new TheoryData<string, int>();
        foreach (var model in Models)
        foreach (var length in new[] { 1, 7, 40 })
            cases.Add(model, length);
        return cases;
    }

    public static TheoryData<string> ModelNames() => new(Models);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_hook_file_and_the_logits_match_the_reference(string modelName, int length)
    {
        var dir = Fixtures.Path("arch", modelName, "ref", $"len{length}");
        using var model = Load(modelName);
        var captured = new Dictionary<HookPoint, float[]>();
        var logits = model.Run(Tokens(dir), (hook, x) => captured[hook] = (float[])x.Data.Clone());

        // Driven by the files, so a hook the reference has and the model does not offer fails too.
        var hookFiles = Directory.GetFiles(dir, "blocks.*.npy").Where(f => !f.EndsWith(".attn.hook_pattern.npy")).Order().ToArray();
        hookFiles.Should().HaveCount(4 * model.Layers);
        double worst = 0;
        foreach (var file in hookFiles)
        {
            var hook = HookPoint.Parse(Path.GetFileNameWithoutExtension(file));
            worst = Math.Max(worst, ReferenceAssert.Close(captured[hook], NpyFile.Read(file).ToFloat32().Data, $"{modelName} len{length} {hook}"));
        }
        var logitsError = ReferenceAssert.Close(logits.Data, Read(dir, "logits.npy"), $"{modelName} len{length} logits");
        output.WriteLine($"{modelName} len{length}: logits {logitsError:e2}, worst hook {worst:e2}");
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Splicing_each_hook_activation_back_reproduces_the_clean_logits_and_zeros_change_them(string modelName)
    {
        using var model = Load(modelName);
        var tokens = Tokens(Fixtures.Path("arch", modelName, "ref", "len40"));
        var clean = model.Run(tokens);
        foreach (var hook in model.HookPoints)
        {
            var prefix = model.RunToHook(tokens, hook);
            model.RunFromHook(prefix, prefix.Activation).Data.Should().Equal(clean.Data, $"splicing {hook} back in changes nothing");
            model.RunFromHook(prefix, Tensor.Zeros(prefix.Activation.Shape)).Data.Should().NotEqual(clean.Data, $"zeroing {hook}");
        }
    }

    /// <summary>Rows of a batch are separate sequences: positions restart and attention stays within the row.</summary>
    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Each_row_of_a_batch_matches_its_own_reference(string modelName)
    {
        using var model = Load(modelName);
        var len40 = Fixtures.Path("arch", modelName, "ref", "len40");
        var ids = NpyFile.Read(Path.Combine(len40, "input_ids.npy")).ToInt32();
        var reversed = ids.Reverse().ToArray();
        var batch = model.Run(new TokenBatch([.. reversed, .. ids], 2, ids.Length));
        var rowLength = ids.Length * model.VocabSize;
        ReferenceAssert.Close(batch.Data[..rowLength], model.Run(new TokenBatch(reversed, 1, ids.Length)).Data, $"{modelName} first row");
        ReferenceAssert.Close(batch.Data[rowLength..], Read(len40, "logits.npy"), $"{modelName} second row");
    }

    [Fact]
    public void Every_supported_model_type_and_architecture_loads()
    {
        ModelLoader.SupportedArchitectures.Should().BeEquivalentTo(
            "GPT2LMHeadModel", "LlamaForCausalLM", "MistralForCausalLM", "GemmaForCausalLM", "Gemma2ForCausalLM", "GPTNeoXForCausalLM");
        var loaded = new List<string>();
        foreach (var modelName in Models)
        {
            using var model = Load(modelName);
            model.Model.Architecture.Should().Be(model.Config.Architecture);
            loaded.Add(model.Config.ModelType);
        }
        loaded.Should().Contain(ModelConfig.SupportedModelTypes);
    }

    [Fact]
    public void A_model_type_that_does_not_match_the_architecture_is_rejected_naming_the_field()
    {
        var dir = Directory.CreateTempSubdirectory("saeaudit-arch-").FullName;
        try
        {
            var json = File.ReadAllText(Fixtures.Path("arch", "llama", "config.json")).Replace("LlamaForCausalLM", "Gemma2ForCausalLM");
            File.WriteAllText(Path.Combine(dir, "config.json"), json);
            FluentActions.Invoking(() => ModelLoader.RequireSupported(ModelConfig.Load(dir)))
                .Should().Throw<InvalidInputException>().WithMessage("*config.json: model_type: \"llama\" does not match*gemma2*");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("llama", false, false)]
    [InlineData("gemma", true, true)]
    [InlineData("gemma2", true, true)]
    [InlineData("gpt_neox", false, false)]
    public void Final_norm_gain_is_as_applied_and_the_unembedding_follows_tying(string modelName, bool gemma, bool tied)
    {
        using var model = Load(modelName);
        var stored = model.Checkpoint.LoadFloat32(modelName == "gpt_neox" ? "gpt_neox.final_layer_norm.weight" : "model.norm.weight");
        model.Model.FinalNormGain.Data.Should().Equal(gemma ? stored.Data.Select(w => 1f + w) : stored.Data);
        var embedding = model.Checkpoint.LoadFloat32(modelName == "gpt_neox" ? "gpt_neox.embed_in.weight" : "model.embed_tokens.weight");
        model.Model.Unembedding.Shape.Should().Equal(model.VocabSize, model.DModel);
        if (tied) model.Model.Unembedding.ToFloat32().Data.Should().Equal(embedding.Data);
        else model.Model.Unembedding.ToFloat32().Data.Should().NotEqual(embedding.Data);
    }

    private static HookedTransformer Load(string modelName) => ModelLoader.Load(Fixtures.Path("arch", modelName), new CpuBackend(2));

    private static TokenBatch Tokens(string dir)
    {
        var ids = NpyFile.Read(Path.Combine(dir, "input_ids.npy")).ToInt32();
        return new TokenBatch(ids, 1, ids.Length);
    }

    private static float[] Read(string dir, string file) => NpyFile.Read(Path.Combine(dir, file)).ToFloat32().Data;
}
