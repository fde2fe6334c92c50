using System.Buffers.Binary;
using System.Text;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Testing;

namespace SaeAudit.Cli.Tests;

/// <summary>Every kind of broken model folder or token-id file exits 2 with one <c>error:</c> line naming the file
/// (and the field, where there is one), through both commands that read a model.</summary>
public class BadInputTests
{
    private static readonly string ReferenceIds = Fixtures.Path("gpt2-tiny", "reference", "input_ids.npy");

    /// <summary>How to break a copy of the base model folder, the file the error must name, and a word it must say.</summary>
    private sealed record Breakage(Action<string> Break, string FileName, string Mentioned);

    private static readonly Dictionary<string, Breakage> Breakages = new()
    {
        ["safetensors_truncated_below_8_bytes"] = new(model =>
        {
            var file = Safetensors(model);
            File.WriteAllBytes(file, File.ReadAllBytes(file)[..5]);
        }, "model.safetensors", "model.safetensors"),

        ["safetensors_header_length_beyond_file"] = new(model =>
        {
            var file = Safetensors(model);
            var bytes = File.ReadAllBytes(file);
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)bytes.Length);
            File.WriteAllBytes(file, bytes);
        }, "model.safetensors", "header"),

        ["safetensors_header_not_json"] = new(model =>
        {
            var file = Safetensors(model);
            var (header, data) = BrokenModels.ReadSafetensors(file);
            var text = header.ToJsonString();
            BrokenModels.WriteSafetensors(file, Encoding.UTF8.GetBytes(text[..(text.Length / 2)]), data);
        }, "model.safetensors", "JSON"),

        ["safetensors_unknown_dtype"] = new(model =>
        {
            var file = Safetensors(model);
            var (header, data) = BrokenModels.ReadSafetensors(file);
            BrokenModels.Entry(header, "ln_f.bias")["dtype"] = "F24";
            BrokenModels.WriteSafetensors(file, header, data);
        }, "model.safetensors", "F24"),

        ["safetensors_offsets_out_of_range"] = new(model =>
        {
            var file = Safetensors(model);
            var (header, data) = BrokenModels.ReadSafetensors(file);
            var (begin, end) = BrokenModels.Offsets(header, "wte.weight");
            BrokenModels.SetOffsets(header, "wte.weight", begin + data.Length, end + data.Length);
            BrokenModels.WriteSafetensors(file, header, data);
        }, "model.safetensors", "wte.weight"),

        ["safetensors_overlapping_offsets"] = new(model =>
        {
            var file = Safetensors(model);
            var (header, data) = BrokenModels.ReadSafetensors(file);
            // Two [128] F32 tensors: point the later one at the earlier one's bytes.
            var (a, b) = ("h.0.ln_1.bias", "h.0.ln_1.weight");
            var (earlier, later) = BrokenModels.Offsets(header, a).Begin < BrokenModels.Offsets(header, b).Begin ? (a, b) : (b, a);
            var (begin, end) = BrokenModels.Offsets(header, earlier);
            BrokenModels.SetOffsets(header, later, begin, end);
            BrokenModels.WriteSafetensors(file, header, data);
        }, "model.safetensors", "overlap"),

        ["safetensors_file_shorter_than_header_says"] = new(model =>
        {
            var file = Safetensors(model);
            var (header, data) = BrokenModels.ReadSafetensors(file);
            BrokenModels.WriteSafetensors(file, header, data[..^64]);
        }, "model.safetensors", "data"),

        ["shard_index_names_a_missing_shard"] = new(model =>
        {
            var first = Path.Combine(model, "model-00001-of-00002.safetensors");
            File.Move(Safetensors(model), first);
            var (header, _) = BrokenModels.ReadSafetensors(first);
            var names = header.Select(p => p.Key).Where(k => k != "__metadata__").Order(StringComparer.Ordinal).ToList();
            var weightMap = new System.Text.Json.Nodes.JsonObject();
            for (var i = 0; i < names.Count; i++)
                weightMap[names[i]] = i < names.Count / 2 ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
            var index = new System.Text.Json.Nodes.JsonObject { ["metadata"] = new System.Text.Json.Nodes.JsonObject(), ["weight_map"] = weightMap };
            File.WriteAllText(Path.Combine(model, "model.safetensors.index.json"), index.ToJsonString());
        }, "model.safetensors.index.json", "model-00002-of-00002.safetensors"),

        ["config_missing"] = new(model => File.Delete(Path.Combine(model, "config.json")), "config.json", "not found"),

        ["config_not_json"] = new(model => File.WriteAllText(Path.Combine(model, "config.json"), "{\"n_layer\": 4,"),
            "config.json", "JSON"),

        ["config_missing_field"] = new(model => BrokenModels.EditConfig(model, c => c.Remove("n_embd")), "config.json", "n_embd"),

        ["config_wrong_type"] = new(model => BrokenModels.EditConfig(model, c => c["n_layer"] = "four"), "config.json", "n_layer"),

        ["config_unsupported_architecture"] = new(
            model => BrokenModels.EditConfig(model, c => c["architectures"] = new System.Text.Json.Nodes.JsonArray("GPT2ForTokenClassification")),
            "config.json", "architectures"),

        ["config_unsupported_model_type"] = new(model => BrokenModels.EditConfig(model, c => c["model_type"] = "bert"),
            "config.json", "model_type"),
    };

    public static TheoryData<string, string> BrokenModelCases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var name in Breakages.Keys)
        {
            cases.Add(name, "inspect");
            cases.Add(name, "trace");
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(BrokenModelCases))]
    public async Task Broken_model_folder_exits_2_naming_the_file(string breakage, string command)
    {
        using var temp = new TempFolder();
        var model = BrokenModels.CopyOfBase(temp);
        var (breakModel, fileName, mentioned) = Breakages[breakage];
        breakModel(model);

        var result = command == "inspect"
            ? await Cli.RunAsync("inspect", "model", model)
            : await Cli.RunAsync("trace", "--model", model, "--input-ids", ReferenceIds, "--out", temp["out"]);

        result.ShouldBeInvalidInput(fileName);
        result.Stderr.Should().Contain(mentioned);
        Directory.Exists(temp["out"]).Should().BeFalse();
    }

    [Fact]
    public async Task Missing_model_folder_exits_2()
    {
        using var temp = new TempFolder();

        var result = await Cli.RunAsync("inspect", "model", temp["no-such-model"]);

        result.ShouldBeInvalidInput("no-such-model");
    }

    /// <summary>How to write a bad token-id file, and a word the error must say.</summary>
    private static readonly Dictionary<string, (Action<string> Write, string Mentioned)> BadIds = new()
    {
        ["float32"] = (path => NpyFile.WriteFloat32(path, new float[] { 1, 2, 3 }, [1, 3]), "<f4"),
        ["id_equal_to_vocab_size"] = (path => NpyFile.WriteInt32(path, new[] { 1, 4096, 3 }, [1, 3]), "4096"),
        ["negative_id"] = (path => NpyFile.WriteInt64(path, new long[] { 1, -1 }, [2]), "-1"),
        ["rank_3"] = (path => NpyFile.WriteInt32(path, new[] { 1, 2 }, [1, 1, 2]), "shape"),
        ["longer_than_max_positions"] = (path => NpyFile.WriteInt32(path, new int[257], [1, 257]), "256"),
        ["empty"] = (path => NpyFile.WriteInt32(path, Array.Empty<int>(), [0, 5]), "no tokens"),
        ["not_npy"] = (path => File.WriteAllText(path, "1 2 3"), "magic"),
    };

    public static TheoryData<string> BadIdCases() => new(BadIds.Keys);

    [Theory]
    [MemberData(nameof(BadIdCases))]
    public async Task Bad_token_ids_exit_2_naming_the_file(string badIds)
    {
        using var temp = new TempFolder();
        var ids = temp["bad-ids.npy"];
        var (write, mentioned) = BadIds[badIds];
        write(ids);

        var result = await Cli.RunAsync("trace", "--model", BrokenModels.BaseModel, "--input-ids", ids, "--out", temp["out"]);

        result.ShouldBeInvalidInput("bad-ids.npy");
        result.Stderr.Should().Contain(mentioned);
        Directory.Exists(temp["out"]).Should().BeFalse();
    }

    [Fact]
    public async Task Missing_ids_file_exits_2_naming_it()
    {
        using var temp = new TempFolder();

        var result = await Cli.RunAsync("trace", "--model", BrokenModels.BaseModel, "--input-ids", temp["missing-ids.npy"], "--out", temp["out"]);

        result.ShouldBeInvalidInput("missing-ids.npy");
    }

    [Fact]
    public async Task Text_without_a_tokenizer_exits_2_naming_tokenizer_json()
    {
        using var temp = new TempFolder();
        var model = BrokenModels.CopyOfBase(temp);
        File.Delete(Path.Combine(model, "tokenizer.json"));

        var result = await Cli.RunAsync("trace", "--model", model, "--text", "In the beginning", "--out", temp["out"]);

        result.ShouldBeInvalidInput("tokenizer.json");
    }

    private static string Safetensors(string model) => Path.Combine(model, "model.safetensors");
}
