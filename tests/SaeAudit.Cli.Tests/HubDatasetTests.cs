using System.Text.Json.Nodes;
using SaeAudit.Testing;

namespace SaeAudit.Cli.Tests;

/// <summary>A pair whose dataset is an <c>hf:datasets/…</c> reference, read from a huggingface_hub cache with
/// HF_HUB_OFFLINE (the download itself is tested against a fake hub in SaeAudit.Models.Tests). The process-wide
/// HF_* variables are why this runs outside the parallel tests.</summary>
[Collection(nameof(CurrentDirectoryCollection))]
public class HubDatasetTests
{
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";

    [Fact]
    public async Task A_hub_dataset_gives_the_results_of_the_same_local_file_and_its_commit_in_provenance()
    {
        using var temp = new TempFolder();
        var storage = temp["hub/datasets--acme--corpus"];
        Directory.CreateDirectory(Path.Combine(storage, "refs"));
        File.WriteAllText(Path.Combine(storage, "refs", "main"), Commit);
        var snapshotFile = Path.Combine(storage, "snapshots", Commit, "data", "eval_prose.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(snapshotFile)!);
        File.Copy(AuditManifests.Prose, snapshotFile);

        var local = AuditManifests.TwoPairs().Write(temp, "local.json");
        var hubManifest = AuditManifests.TwoPairs();
        hubManifest.Defaults()["dataset"]!["path"] = "hf:datasets/acme/corpus/data/eval_prose.jsonl";
        var hub = hubManifest.Write(temp, "hub.json");

        var localRun = await Cli.RunAsync("run", local, "--pair", "light", "--out", temp["local"], "--no-report");
        CliResult hubRun;
        using (new EnvironmentVariables(("HF_HUB_CACHE", temp["hub"]), ("HF_HUB_OFFLINE", "1")))
            hubRun = await Cli.RunAsync("run", hub, "--pair", "light", "--out", temp["hub-out"], "--no-report");

        localRun.ExitCode.Should().Be(ExitCodes.Ok, localRun.Stderr);
        hubRun.ExitCode.Should().Be(ExitCodes.Ok, hubRun.Stderr);
        var localResults = JsonNode.Parse(File.ReadAllText(temp["local/results.json"]))!;
        var hubResults = JsonNode.Parse(File.ReadAllText(temp["hub-out/results.json"]))!;
        hubResults["pairs"]!.ToJsonString().Should().Be(localResults["pairs"]!.ToJsonString(), "the same file gives the same numbers");
        var provenance = hubResults["provenance"]!["pairs"]![0]!;
        provenance["parameters"]!["dataset"]!.GetValue<string>().Should().Be("hf:datasets/acme/corpus/data/eval_prose.jsonl");
        provenance["hub"]!["dataset"]!.ToJsonString().Should().Be(
            $$"""{"repo":"datasets/acme/corpus","revision":"main","commit":"{{Commit}}","subfolder":"data/eval_prose.jsonl"}""");
    }

    [Fact]
    public async Task A_hub_dataset_missing_from_an_offline_cache_is_an_input_error_naming_it()
    {
        using var temp = new TempFolder();
        var manifest = AuditManifests.TwoPairs();
        manifest.Defaults()["dataset"]!["path"] = "hf:datasets/acme/corpus/data/eval_prose.jsonl";
        var path = manifest.Write(temp);

        CliResult result;
        using (new EnvironmentVariables(("HF_HUB_CACHE", temp["hub"]), ("HF_HUB_OFFLINE", "1")))
            result = await Cli.RunAsync("run", path, "--pair", "light", "--out", temp["out"]);

        result.ExitCode.Should().Be(ExitCodes.InvalidInput);
        result.Stderr.Should().Contain("hf:datasets/acme/corpus/data/eval_prose.jsonl").And.Contain("HF_HUB_OFFLINE");
        File.Exists(temp["out/results.json"]).Should().BeFalse();
    }

    /// <summary>Sets process environment variables for a block and restores them after.</summary>
    private sealed class EnvironmentVariables : IDisposable
    {
        private readonly (string Name, string? Value)[] _previous;

        public EnvironmentVariables(params (string Name, string Value)[] variables)
        {
            _previous = variables.Select(v => (v.Name, Environment.GetEnvironmentVariable(v.Name))).ToArray();
            foreach (var (name, value) in variables) Environment.SetEnvironmentVariable(name, value);
        }

        public void Dispose()
        {
            foreach (var (name, value) in _previous) Environment.SetEnvironmentVariable(name, value);
        }
    }
}
