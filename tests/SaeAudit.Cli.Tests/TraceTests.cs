using SaeAudit.Models.Checkpoints;
using SaeAudit.Models.Tokenizers;
using SaeAudit.Testing;

namespace SaeAudit.Cli.Tests;

public class TraceTests
{
    private static readonly string Base = Fixtures.Path("gpt2-tiny", "models", "base");
    private static readonly string ReferenceIds = Fixtures.Path("gpt2-tiny", "reference", "input_ids.npy");
    private const int Layers = 4, DModel = 128, Vocab = 4096, Rows = 8, Length = 128;

    /// <summary>SPEC §10: max-abs error / max-abs reference.</summary>
    private const double Tolerance = 1e-4;

    [Fact]
    public async Task Base_model_matches_the_reference_hidden_states_and_logits()
    {
        using var temp = new TempFolder();

        var result = await Cli.RunAsync("trace", "--model", Base, "--input-ids", ReferenceIds, "--out", temp["out"]);

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        result.Stdout.Should().StartWith("trace: wrote 6 files").And.Contain($"{Rows} rows, {Rows * Length} tokens");
        Directory.GetFiles(temp["out"]).Select(Path.GetFileName).Should().BeEquivalentTo(
            "blocks.0.hook_resid_pre.npy", "blocks.1.hook_resid_pre.npy", "blocks.2.hook_resid_pre.npy",
            "blocks.3.hook_resid_pre.npy", "blocks.3.hook_resid_post.npy", "logits.npy");

        var hidden = NpyFile.Read(Fixtures.Path("gpt2-tiny", "reference", "hidden_states_base.npy")).ToFloat32(); // [rows, L+1, len, d]
        for (var layer = 0; layer < Layers; layer++)
        {
            var actual = Read(temp["out"], $"blocks.{layer}.hook_resid_pre.npy", Rows, Length, DModel);
            RelativeError(actual, HiddenStates(hidden, layer)).Should().BeLessThanOrEqualTo(Tolerance, $"layer {layer}");
        }
        Read(temp["out"], "blocks.3.hook_resid_post.npy", Rows, Length, DModel);
        var logits = Read(temp["out"], "logits.npy", Rows, Length, Vocab);
        var reference = NpyFile.Read(Fixtures.Path("gpt2-tiny", "reference", "logits_base.npy")).ToFloat32().Data;
        RelativeError(logits, reference).Should().BeLessThanOrEqualTo(Tolerance);
    }

    [Fact]
    public async Task Bf16_model_stays_close_to_the_f32_reference()
    {
        // BF16 weights round each parameter to 8 bits of mantissa, so only a loose bound holds against the F32 model.
        using var temp = new TempFolder();

        var result = await Cli.RunAsync("trace", "--model", Fixtures.Path("gpt2-tiny", "models", "base-bf16"),
            "--input-ids", ReferenceIds, "--out", temp["out"]);

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        var logits = Read(temp["out"], "logits.npy", Rows, Length, Vocab);
        var reference = NpyFile.Read(Fixtures.Path("gpt2-tiny", "reference", "logits_base.npy")).ToFloat32().Data;
        RelativeError(logits, reference).Should().BeLessThanOrEqualTo(2e-2);
    }

    [Fact]
    public async Task One_dimensional_int64_ids_give_outputs_without_the_row_dimension()
    {
        using var temp = new TempFolder();
        var row0 = NpyFile.Read(ReferenceIds).ToInt64()[..Length];
        NpyFile.WriteInt64(temp["ids.npy"], row0, [Length]);

        var result = await Cli.RunAsync("trace", "--model", Base, "--input-ids", temp["ids.npy"], "--out", temp["out"]);

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        var seq0 = NpyFile.Read(Fixtures.Path("gpt2-tiny", "reference", "hidden_states_base_seq0.npy")).ToFloat32(); // [L+1, len, d]
        for (var layer = 0; layer < Layers; layer++)
        {
            var actual = Read(temp["out"], $"blocks.{layer}.hook_resid_pre.npy", Length, DModel);
            RelativeError(actual, seq0.Data.AsSpan(layer * Length * DModel, Length * DModel).ToArray())
                .Should().BeLessThanOrEqualTo(Tolerance, $"layer {layer}");
        }
        Read(temp["out"], "logits.npy", Length, Vocab);
    }

    [Fact]
    public async Task All_hooks_saves_every_hook_and_resid_post_feeds_the_next_block()
    {
        using var temp = new TempFolder();

        var result = await Cli.RunAsync("trace", "--model", Base, "--input-ids", ReferenceIds, "--out", temp["out"], "--all-hooks");

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        Directory.GetFiles(temp["out"]).Should().HaveCount(Layers * 4 + 1);
        foreach (var kind in new[] { "hook_resid_pre", "hook_attn_out", "hook_mlp_out", "hook_resid_post" })
            for (var layer = 0; layer < Layers; layer++)
                Read(temp["out"], $"blocks.{layer}.{kind}.npy", Rows, Length, DModel);
        for (var layer = 0; layer + 1 < Layers; layer++)
            Read(temp["out"], $"blocks.{layer}.hook_resid_post.npy", Rows, Length, DModel)
                .Should().Equal(Read(temp["out"], $"blocks.{layer + 1}.hook_resid_pre.npy", Rows, Length, DModel));
    }

    [Theory]
    [InlineData("len1")]
    [InlineData("len7")]
    [InlineData("len40")]
    public async Task Arch_gpt2_all_hooks_match_the_reference_files_of_the_same_name(string length)
    {
        // The arch fixtures' ref/ folders use the layout trace writes: 1-D int64 ids, [len, d] hooks, [len, vocab] logits.
        using var temp = new TempFolder();
        var reference = Fixtures.Path("arch", "gpt2", "ref", length);

        var result = await Cli.RunAsync("trace", "--model", Fixtures.Path("arch", "gpt2"),
            "--input-ids", Path.Combine(reference, "input_ids.npy"), "--out", temp["out"], "--all-hooks");

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        var written = Directory.GetFiles(temp["out"]).Select(Path.GetFileName).ToList();
        written.Should().Contain("logits.npy").And.Contain("blocks.1.hook_mlp_out.npy");
        foreach (var file in written)
        {
            var expected = NpyFile.Read(Path.Combine(reference, file!)).ToFloat32();
            var actual = Read(temp["out"], file!, expected.Shape);
            RelativeError(actual, expected.Data).Should().BeLessThanOrEqualTo(Tolerance, file);
        }
    }

    [Fact]
    public async Task Text_is_tokenized_with_the_model_tokenizer_and_saved_as_input_ids()
    {
        using var temp = new TempFolder();
        const string text = "In the beginning God created the heaven and the earth.";
        var expected = Tokenizer.Load(Path.Combine(Base, "tokenizer.json")).Encode(text, addSpecialTokens: false);

        var result = await Cli.RunAsync("trace", "--model", Base, "--text", text, "--out", temp["out"]);

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        var ids = NpyFile.Read(temp["out/input_ids.npy"]);
        ids.DType.Should().Be("<i4");
        ids.Shape.Should().Equal(expected.Length);
        ids.ToInt32().Should().Equal(expected);
        Read(temp["out"], "logits.npy", expected.Length, Vocab);
    }

    [Fact]
    public async Task Output_does_not_depend_on_the_thread_count()
    {
        using var temp = new TempFolder();

        var one = await Cli.RunAsync("--threads", "1", "trace", "--model", Base, "--input-ids", ReferenceIds, "--out", temp["t1"]);
        var two = await Cli.RunAsync("trace", "--threads", "2", "--model", Base, "--input-ids", ReferenceIds, "--out", temp["t2"]);

        one.ExitCode.Should().Be(ExitCodes.Ok, one.Stderr);
        two.ExitCode.Should().Be(ExitCodes.Ok, two.Stderr);
        foreach (var file in Directory.GetFiles(temp["t1"]).Select(Path.GetFileName))
            File.ReadAllBytes(temp[$"t2/{file}"]).Should().Equal(File.ReadAllBytes(temp[$"t1/{file}"]), file);
    }

    [Fact]
    public async Task Rerun_replaces_outputs_keeps_other_files_and_leaves_no_temporary_folder()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp["out"]);
        File.WriteAllText(temp["out/notes.txt"], "mine");
        File.WriteAllText(temp["out/logits.npy"], "stale");

        var result = await Cli.RunAsync("trace", "--model", Base, "--input-ids", ReferenceIds, "--out", temp["out"]);

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        File.ReadAllText(temp["out/notes.txt"]).Should().Be("mine");
        Read(temp["out"], "logits.npy", Rows, Length, Vocab);
        Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName).Should().Equal("out");
    }

    /// <summary>Reads a float32 .npy, checking its shape.</summary>
    private static float[] Read(string folder, string file, params int[] shape)
    {
        var array = NpyFile.Read(Path.Combine(folder, file));
        array.DType.Should().Be("<f4", file);
        array.Shape.Should().Equal(shape, file);
        return array.ToFloat32().Data;
    }

    /// <summary>hidden_states[:, layer] of a [rows, L+1, len, d] array, as [rows, len, d].</summary>
    private static float[] HiddenStates(SaeAudit.Tensors.Tensor hidden, int layer)
    {
        int rows = hidden.Shape[0], states = hidden.Shape[1], block = hidden.Shape[2] * hidden.Shape[3];
        var result = new float[rows * block];
        for (var row = 0; row < rows; row++)
            hidden.Data.AsSpan((row * states + layer) * block, block).CopyTo(result.AsSpan(row * block));
        return result;
    }

    private static double RelativeError(float[] actual, float[] expected)
    {
        actual.Length.Should().Be(expected.Length);
        double maxError = 0, maxReference = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            maxError = Math.Max(maxError, Math.Abs((double)actual[i] - expected[i]));
            maxReference = Math.Max(maxReference, Math.Abs((double)expected[i]));
        }
        return maxError / maxReference;
    }
}
