using SaeAudit.Models.Hub;
using SaeAudit.Models.Tests.Checkpoints;
using SaeAudit.Tensors;
using SaeAudit.Testing;

namespace SaeAudit.Models.Tests.Hub;

/// <summary><see cref="HubResolver"/> against <see cref="FakeHub"/>: the cache layout huggingface_hub uses, cache
/// hits without requests, offline mode, resumed downloads, checksums, errors and the token.</summary>
public sealed class HubResolverTests : IDisposable
{
    private const string Repo = "acme/tiny-lm";

    private static readonly string Commit = FakeHub.CommitOf(Repo);

    private readonly FakeHub _hub = new();
    private readonly TempDirectory _cache = new();

    public void Dispose()
    {
        _hub.Dispose();
        _cache.Dispose();
    }

    private HubSettings Settings(bool offline = false, string? token = null) =>
        new(_hub.Endpoint, token, _cache.Path, offline, TimeSpan.FromSeconds(60)); // generous: a loaded CI machine can starve the fake server's thread pool

    private HubSnapshot Resolve(string reference, HubFiles wanted = HubFiles.Model, HubSettings? settings = null,
        IProgress<HubProgress>? progress = null)
    {
        using var resolver = new HubResolver(settings ?? Settings());
        return resolver.Resolve(reference, wanted, progress);
    }

    private static byte[] Weights(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private string Storage => Path.Combine(_cache.Path, "models--acme--tiny-lm");

    /// <summary>A model repository: config and tokenizer in git, the weights in LFS, no tokenizer_config.json.</summary>
    private byte[] AddModel(int weightBytes = 3000)
    {
        var weights = Weights(weightBytes);
        _hub.Add(Repo, "config.json", """{"model_type": "gpt2"}""");
        _hub.Add(Repo, "tokenizer.json", "{}");
        _hub.Add(Repo, "model.safetensors", weights, lfs: true);
        return weights;
    }

    [Fact]
    public void Fresh_download_lands_in_the_huggingface_hub_cache_layout()
    {
        var weights = AddModel();

        var snapshot = Resolve("hf:acme/tiny-lm");

        snapshot.Should().BeEquivalentTo(new
        {
            Reference = "hf:acme/tiny-lm", Repo, Revision = "main", Commit, Subfolder = (string?)null,
            Folder = Path.Combine(Storage, "snapshots", Commit),
        });
        snapshot.Files.Should().Equal("config.json", "model.safetensors", "tokenizer.json");
        File.ReadAllText(Path.Combine(Storage, "refs", "main")).Should().Be(Commit);

        var sha256 = FakeHub.Sha256Of(weights);
        File.ReadAllBytes(Path.Combine(Storage, "blobs", sha256)).Should().Equal(weights);
        var pointer = new FileInfo(Path.Combine(snapshot.Folder, "model.safetensors"));
        pointer.LinkTarget.Should().Be(Path.Combine("..", "..", "blobs", sha256));
        File.ReadAllBytes(pointer.FullName).Should().Equal(weights);
        File.ReadAllText(Path.Combine(snapshot.Folder, "config.json")).Should().Contain("gpt2");
        // Absent optional files are remembered, as huggingface_hub does, so a cache hit needs no request for them.
        File.Exists(Path.Combine(Storage, ".no_exist", Commit, "tokenizer_config.json")).Should().BeTrue();
        Directory.GetFiles(Path.Combine(Storage, "blobs"), "*.incomplete").Should().BeEmpty();
    }

    [Fact]
    public void A_dataset_file_lands_under_the_datasets_cache_folder_and_is_reused_offline()
    {
        const string repo = "datasets/acme/corpus";
        var commit = FakeHub.CommitOf(repo);
        var text = Weights(5000, seed: 7);
        _hub.Add(repo, "data/eval.jsonl", text, lfs: true);
        _hub.Add(repo, "README.md", "a corpus");
        var storage = Path.Combine(_cache.Path, "datasets--acme--corpus");

        var snapshot = Resolve("hf:datasets/acme/corpus/data/eval.jsonl", HubFiles.DatasetFile);

        snapshot.Should().BeEquivalentTo(new
        {
            Reference = "hf:datasets/acme/corpus/data/eval.jsonl", Repo = repo, Revision = "main", Commit = commit,
            Subfolder = "data/eval.jsonl", Folder = Path.Combine(storage, "snapshots", commit, "data", "eval.jsonl"),
        });
        snapshot.Files.Should().Equal("data/eval.jsonl");
        File.ReadAllBytes(snapshot.Folder).Should().Equal(text);
        File.ReadAllText(Path.Combine(storage, "refs", "main")).Should().Be(commit);
        _hub.Requests.Should().OnlyContain(r => r.Cdn || r.Target.StartsWith("/datasets/acme/corpus/resolve/", StringComparison.Ordinal));

        var requests = _hub.Requests.Count;
        var offline = Resolve("hf:datasets/acme/corpus/data/eval.jsonl", HubFiles.DatasetFile, Settings(offline: true));
        offline.Should().BeEquivalentTo(snapshot);
        _hub.Requests.Count.Should().Be(requests);
    }

    [Theory]
    [InlineData("hf:datasets/acme/corpus/data/missing.jsonl", HubFiles.DatasetFile, "data/missing.jsonl", "does not exist in datasets/acme/corpus")]
    [InlineData("hf:datasets/acme/corpus", HubFiles.DatasetFile, null, "names no file")]
    [InlineData("hf:acme/corpus/data/eval.jsonl", HubFiles.DatasetFile, null, "a dataset file comes from a dataset repository")]
    [InlineData("hf:datasets/acme/corpus", HubFiles.Model, null, "a dataset repository holds no models or SAEs")]
    public void Dataset_references_that_name_no_dataset_file_are_input_errors(string reference, HubFiles wanted, string? field, string problem)
    {
        _hub.Add("datasets/acme/corpus", "data/eval.jsonl", "{}");
        TestFiles.ShouldFailWith(() => Resolve(reference, wanted), field is null ? [reference, problem] : [reference, field, problem]);
    }

    [Fact]
    public void A_cached_snapshot_is_used_without_any_request()
    {
        AddModel();
        var first = Resolve("hf:acme/tiny-lm");
        var requests = _hub.Requests.Count;
        _hub.Dispose(); // any request now fails

        var second = Resolve("hf:acme/tiny-lm");
        var offline = Resolve("hf:acme/tiny-lm", settings: Settings(offline: true));

        second.Should().BeEquivalentTo(first);
        offline.Should().BeEquivalentTo(first);
        _hub.Requests.Count.Should().Be(requests);
    }

    [Fact]
    public void Offline_mode_names_the_repository_revision_and_file_missing_from_the_cache()
    {
        AddModel();

        Action act = () => Resolve("hf:acme/tiny-lm@main", settings: Settings(offline: true));

        TestFiles.ShouldFailWith(act, "hf:acme/tiny-lm@main", "config.json", "HF_HUB_OFFLINE");
        _hub.Requests.Should().BeEmpty();
    }

    [Fact]
    public void Offline_mode_names_a_file_missing_from_a_partly_cached_snapshot()
    {
        AddModel();
        Resolve("hf:acme/tiny-lm", HubFiles.ModelConfig);

        Action act = () => Resolve("hf:acme/tiny-lm", settings: Settings(offline: true));

        TestFiles.ShouldFailWith(act, "hf:acme/tiny-lm", "model.safetensors", "not in the hub cache", "HF_HUB_OFFLINE");
    }

    [Fact]
    public void A_cached_revision_stays_pinned_when_more_files_are_fetched()
    {
        AddModel();
        Resolve("hf:acme/tiny-lm", HubFiles.ModelConfig);
        var before = _hub.Requests.Count;

        var snapshot = Resolve("hf:acme/tiny-lm");

        snapshot.Commit.Should().Be(Commit);
        var later = _hub.Requests.Skip(before).Where(r => !r.Cdn).ToList();
        later.Should().NotBeEmpty().And.OnlyContain(r => r.Target.StartsWith($"/{Repo}/resolve/{Commit}/"));
        later.Should().NotContain(r => r.Target.EndsWith("/config.json"), "config.json is already in the snapshot");
    }

    [Fact]
    public void An_unreachable_hub_is_an_IO_error_naming_the_reference()
    {
        AddModel();
        _hub.Dispose();

        var act = () => Resolve("hf:acme/tiny-lm");

        act.Should().Throw<IOException>().WithMessage($"hf:acme/tiny-lm: config.json: cannot reach the hub at {_hub.Endpoint}*HF_HUB_OFFLINE*");
    }

    [Fact]
    public void An_interrupted_download_resumes_with_a_range_request()
    {
        var weights = AddModel(weightBytes: 200_000);
        _hub.DropFirstDownloadAfter = 70_000;

        var interrupted = () => Resolve("hf:acme/tiny-lm");

        interrupted.Should().Throw<IOException>().WithMessage("*hf:acme/tiny-lm: model.safetensors: download interrupted*run again to resume*");
        var partial = Path.Combine(Storage, "blobs", FakeHub.Sha256Of(weights) + ".incomplete");
        var kept = new FileInfo(partial).Length;
        kept.Should().BeInRange(1, weights.Length - 1);

        var snapshot = Resolve("hf:acme/tiny-lm");

        File.ReadAllBytes(Path.Combine(snapshot.Folder, "model.safetensors")).Should().Equal(weights);
        File.Exists(partial).Should().BeFalse();
        var downloads = _hub.Requests.Where(r => r.Cdn && r.Method == "GET").ToList();
        downloads.Should().HaveCount(2);
        downloads[0].Headers.Should().NotContainKey("Range");
        downloads[1].Headers["Range"].Should().Be($"bytes={kept}-");
    }

    [Fact]
    public void A_checksum_mismatch_is_rejected_and_the_partial_file_deleted()
    {
        var wrongSha = FakeHub.Sha256Of(Weights(10, seed: 2));
        _hub.Add(Repo, "config.json", "{}");
        _hub.Add(Repo, "model.safetensors", Weights(5000), lfs: true, etag: wrongSha);

        Action act = () => Resolve("hf:acme/tiny-lm");

        TestFiles.ShouldFailWith(act, "hf:acme/tiny-lm", "model.safetensors", "SHA-256", wrongSha);
        File.Exists(Path.Combine(Storage, "blobs", wrongSha)).Should().BeFalse();
        Directory.GetFiles(Path.Combine(Storage, "blobs"), "*.incomplete").Should().BeEmpty();
        File.Exists(Path.Combine(Storage, "snapshots", Commit, "model.safetensors")).Should().BeFalse();
    }

    [Fact]
    public void A_missing_required_file_is_a_clear_error()
    {
        _hub.Add(Repo, "config.json", "{}");

        Action act = () => Resolve("hf:acme/tiny-lm");

        TestFiles.ShouldFailWith(act, "hf:acme/tiny-lm", "neither model.safetensors nor model.safetensors.index.json", Repo, Commit);
    }

    [Fact]
    public void A_missing_repository_or_revision_is_a_clear_error()
    {
        AddModel();

        TestFiles.ShouldFailWith(() => _ = Resolve("hf:acme/other"), "hf:acme/other", "config.json", "repository acme/other not found");
        TestFiles.ShouldFailWith(() => _ = Resolve("hf:acme/tiny-lm@v9"), "hf:acme/tiny-lm@v9", "revision \"v9\" does not exist");
    }

    [Fact]
    public void The_token_goes_to_the_hub_as_a_bearer_header_but_not_to_the_cdn()
    {
        AddModel();

        Resolve("hf:acme/tiny-lm", settings: Settings(token: "hf_secret"));

        var hubRequests = _hub.Requests.Where(r => !r.Cdn).ToList();
        hubRequests.Should().NotBeEmpty().And.OnlyContain(r => r.Headers["Authorization"] == "Bearer hf_secret");
        _hub.Requests.Where(r => r.Cdn).Should().NotBeEmpty().And.OnlyContain(r => !r.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public void Without_a_token_no_authorization_header_is_sent()
    {
        AddModel();

        Resolve("hf:acme/tiny-lm");

        _hub.Requests.Should().OnlyContain(r => !r.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public void A_sharded_model_fetches_every_shard_its_index_lists()
    {
        _hub.Add(Repo, "config.json", "{}");
        _hub.Add(Repo, "model.safetensors.index.json", """
            {"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors",
                                            "c": "model-00001-of-00002.safetensors"}}
            """);
        _hub.Add(Repo, "model-00001-of-00002.safetensors", Weights(100, 1), lfs: true);
        _hub.Add(Repo, "model-00002-of-00002.safetensors", Weights(100, 2), lfs: true);

        var snapshot = Resolve("hf:acme/tiny-lm");

        snapshot.Files.Should().Equal("config.json", "model.safetensors.index.json",
            "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
        File.ReadAllBytes(Path.Combine(snapshot.Folder, "model-00002-of-00002.safetensors")).Should().Equal(Weights(100, 2));
    }

    [Fact]
    public void A_shard_index_cannot_name_files_outside_the_snapshot()
    {
        _hub.Add(Repo, "config.json", "{}");
        _hub.Add(Repo, "model.safetensors.index.json", """{"weight_map": {"a": "../../../evil.safetensors"}}""");

        Action act = () => Resolve("hf:acme/tiny-lm");

        TestFiles.ShouldFailWith(act, "model.safetensors.index.json", "weight_map.a", "is not a .safetensors file name");
    }

    [Fact]
    public void SAELens_and_Gemma_Scope_folders_are_fetched_by_subfolder_and_commit()
    {
        _hub.Add(Repo, "blocks.2.hook_resid_pre/cfg.json", "{}");
        _hub.Add(Repo, "blocks.2.hook_resid_pre/sae_weights.safetensors", Weights(64), lfs: true);
        _hub.Add(Repo, "layer_3/width_16k/average_l0_50/params.npz", Weights(64, 3), lfs: true);

        var saeLens = Resolve("hf:acme/tiny-lm/blocks.2.hook_resid_pre", HubFiles.Sae);
        var gemmaScope = Resolve($"hf:acme/tiny-lm@{Commit}/layer_3/width_16k/average_l0_50", HubFiles.Sae);

        saeLens.Subfolder.Should().Be("blocks.2.hook_resid_pre");
        saeLens.Folder.Should().Be(Path.Combine(Storage, "snapshots", Commit, "blocks.2.hook_resid_pre"));
        saeLens.Files.Should().Equal("cfg.json", "sae_weights.safetensors");
        File.Exists(Path.Combine(saeLens.Folder, "sae_weights.safetensors")).Should().BeTrue();
        gemmaScope.Files.Should().Equal("params.npz");
        gemmaScope.Revision.Should().Be(Commit);
        File.ReadAllBytes(Path.Combine(gemmaScope.Folder, "params.npz")).Should().Equal(Weights(64, 3));
        // A commit needs no ref.
        Directory.GetFiles(Path.Combine(Storage, "refs")).Should().Equal(Path.Combine(Storage, "refs", "main"));
    }

    [Fact]
    public void A_folder_without_an_SAE_is_a_clear_error()
    {
        _hub.Add(Repo, "config.json", "{}");

        Action act = () => Resolve("hf:acme/tiny-lm/layer_9", HubFiles.Sae);

        TestFiles.ShouldFailWith(act, "hf:acme/tiny-lm/layer_9", "neither cfg.json", "nor params.npz", "layer_9");
    }

    [Fact]
    public void Progress_reports_bytes_done_and_total()
    {
        var weights = AddModel(weightBytes: 50_000);
        var reports = new List<HubProgress>();

        Resolve("hf:acme/tiny-lm", progress: new SynchronousProgress(reports.Add));

        var weightReports = reports.Where(r => r.File == "model.safetensors").ToList();
        weightReports.Should().NotBeEmpty();
        weightReports.Should().OnlyContain(r => r.BytesTotal == weights.Length && r.Reference == "hf:acme/tiny-lm");
        weightReports[0].BytesDone.Should().Be(0);
        weightReports[^1].BytesDone.Should().Be(weights.Length);
    }

    [Fact]
    public void A_fixture_model_served_by_the_hub_loads_from_its_snapshot()
    {
        var folder = Fixtures.Path("gpt2-tiny", "models", "base");
        foreach (var file in Directory.GetFiles(folder))
            _hub.Add(Repo, Path.GetFileName(file), File.ReadAllBytes(file), lfs: file.EndsWith(".safetensors", StringComparison.Ordinal));

        var snapshot = Resolve("hf:acme/tiny-lm");
        using var fromHub = ModelLoader.Load(snapshot.Folder, new CpuBackend(1));
        using var local = ModelLoader.Load(folder, new CpuBackend(1));

        snapshot.Files.Should().Equal("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json");
        fromHub.Checkpoint.TensorNames.Should().Equal(local.Checkpoint.TensorNames);
        fromHub.Checkpoint.LoadFloat32("wte.weight").Data.Should().Equal(local.Checkpoint.LoadFloat32("wte.weight").Data);
    }

    [Fact]
    public void Model_source_passes_local_paths_through_untouched()
    {
        var source = ModelSource.Resolve("models/base", HubFiles.Model);

        source.Should().Be(new ModelSource("models/base", "models/base", null));
    }

    [Fact]
    public void Model_source_resolves_hub_references()
    {
        AddModel();

        var source = ModelSource.Resolve("hf:acme/tiny-lm", HubFiles.ModelConfig, settings: Settings());

        source.Folder.Should().Be(Path.Combine(Storage, "snapshots", Commit));
        source.Snapshot!.Commit.Should().Be(Commit);
        source.Snapshot.Files.Should().Equal("config.json");
    }

    /// <summary><see cref="Progress{T}"/> posts to the thread pool; tests need the reports in order, at once.</summary>
    private sealed class SynchronousProgress(Action<HubProgress> report) : IProgress<HubProgress>
    {
        public void Report(HubProgress value) => report(value);
    }
}
