using SaeAudit.Evaluation.Manifests;
using SaeAudit.Models;

namespace SaeAudit.Evaluation.Tests.Manifests;

/// <summary>A temporary folder holding stand-ins for every file a manifest can reference (empty model and SAE
/// folders, one empty dataset file per extension), so manifest tests don't depend on real checkpoints.</summary>
internal sealed class ManifestFolder : IDisposable
{
    /// <summary>A complete pair that loads in this folder; tests splice fields into it.</summary>
    public const string MinimalPair =
        """{ "name": "a", "base": "base", "finetune": "ft", "sae": "sae", "dataset": { "path": "data.jsonl" }, "n_tokens": 1000 }""";

    public ManifestFolder()
    {
        Root = Directory.CreateTempSubdirectory("saeaudit-manifest-").FullName;
        foreach (var folder in new[] { "base", "ft", "sae" }) Directory.CreateDirectory(Path.Combine(Root, folder));
        foreach (var file in new[] { "data.jsonl", "data.txt", "data.npy", "data.safetensors", "data.csv" })
            File.WriteAllText(Path.Combine(Root, file), "");
    }

    public string Root { get; }

    public string PathOf(string name) => Path.Combine(Root, name);

    public string Write(string json, string name = "manifest.json")
    {
        var path = PathOf(name);
        File.WriteAllText(path, json);
        return path;
    }

    public Manifest Load(string json) => ManifestLoader.Load(Write(json));

    /// <summary>Loads <paramref name="json"/>, expecting an input error; returns its message.</summary>
    public string Fail(string json)
    {
        var path = Write(json);
        return FluentActions.Invoking(() => ManifestLoader.Load(path)).Should().Throw<InvalidInputException>().Which.Message;
    }

    /// <summary>"line:column" (1-based) of the first <paramref name="marker"/> in <paramref name="json"/>, to check
    /// error positions without counting characters by hand.</summary>
    public static string At(string json, string marker)
    {
        var index = json.IndexOf(marker, StringComparison.Ordinal);
        if (index < 0) throw new ArgumentException($"marker {marker} not in the test JSON");
        var before = json[..index];
        var lineStart = before.LastIndexOf('\n') + 1;
        return $"{before.Count(c => c == '\n') + 1}:{index - lineStart + 1}";
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
