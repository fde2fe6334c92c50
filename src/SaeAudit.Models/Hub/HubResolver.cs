using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SaeAudit.Models.Hub;

/// <summary>Turns an <c>hf:</c> reference (<see cref="HubReference"/>) into a local folder: the files a model or an
/// SAE needs (<see cref="HubFiles"/>) are fetched into the huggingface_hub cache layout (<see cref="HubCache"/>) and
/// the snapshot folder is returned with the commit it holds.
/// <list type="bullet">
/// <item>A revision is resolved to a commit once and then pinned: when <c>refs/&lt;revision&gt;</c> and every wanted file
/// are in the cache, nothing is sent at all, and files missing from a cached revision are fetched at its cached commit,
/// so one snapshot never mixes commits. To follow a branch that moved, delete <c>refs/&lt;revision&gt;</c> or name the
/// commit (<c>@&lt;hash&gt;</c>).</item>
/// <item>Downloads go to <c>blobs/&lt;etag&gt;.incomplete</c> and resume with <c>Range: bytes=N-</c> after an interruption;
/// a finished file must have the announced size and, for LFS files (whose ETag is a sha256), that SHA-256. A mismatch
/// deletes the partial file and is an <see cref="InvalidInputException"/> naming the repository and the file.</item>
/// <item>With <see cref="HubSettings.Offline"/>, a file not in the cache is an <see cref="InvalidInputException"/> naming
/// the reference (repository and revision) and the file; the network is never touched.</item>
/// <item>A missing repository, revision or required file, and a gated or private repository without a token, are
/// <see cref="InvalidInputException"/>s; network and server failures are <see cref="IOException"/>s.</item>
/// </list></summary>
public sealed partial class HubResolver(HubSettings settings) : IDisposable
{
    private const int BufferSize = 1 << 20;

    private readonly HubClient _client = new(settings);

    public HubSettings Settings { get; } = settings;

    /// <summary>Synchronous <see cref="ResolveAsync"/>.</summary>
    public HubSnapshot Resolve(string reference, HubFiles wanted, IProgress<HubProgress>? progress = null,
        CancellationToken cancellation = default) =>
        ResolveAsync(reference, wanted, progress, cancellation).GetAwaiter().GetResult();

    /// <summary>Fetches what <paramref name="wanted"/> lists from the folder <paramref name="reference"/> names (see the
    /// class summary for caching, resuming, verification and errors).</summary>
    public async Task<HubSnapshot> ResolveAsync(string reference, HubFiles wanted, IProgress<HubProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        var parsed = HubReference.Parse(reference);
        var cache = new HubCache(Settings.CacheDirectory, parsed);
        var pinned = IsCommitHash(parsed.Revision) ? parsed.Revision : cache.ReadRef(parsed.Revision);
        try
        {
            return await FetchAsync(new CachedFiles(parsed, cache, pinned), parsed, wanted, cache, cancellation).ConfigureAwait(false);
        }
        catch (CacheMissException miss) when (Settings.Offline)
        {
            throw InvalidInputException.For(parsed.Text, miss.RepoPath,
                $"not in the hub cache ({cache.Storage}) and HF_HUB_OFFLINE is set, so it cannot be downloaded");
        }
        catch (CacheMissException)
        {
            var remote = new RemoteFiles(this, parsed, cache, pinned, progress);
            return await FetchAsync(remote, parsed, wanted, cache, cancellation).ConfigureAwait(false);
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The files of <paramref name="wanted"/>, decided file by file through <paramref name="source"/> (the
    /// cache alone, or the hub), so the same rules pick the same files offline and online.</summary>
    private static async Task<HubSnapshot> FetchAsync(FileSource source, HubReference reference, HubFiles wanted,
        HubCache cache, CancellationToken cancellation)
    {
        var files = new List<string>();

        async Task<bool> Has(string name)
        {
            if (!await source.ExistsAsync(reference.InRepo(name), required: false, cancellation).ConfigureAwait(false)) return false;
            files.Add(name);
            return true;
        }

        async Task Need(string name)
        {
            await source.ExistsAsync(reference.InRepo(name), required: true, cancellation).ConfigureAwait(false);
            files.Add(name);
        }

        string Local(string name) => cache.SnapshotPath(source.Commit!, reference.InRepo(name));

        if ((wanted == HubFiles.DatasetFile) != (reference.Kind == HubRepoKind.Dataset))
            throw InvalidInputException.For(reference.Text, null, wanted == HubFiles.DatasetFile
                ? "a dataset file comes from a dataset repository: write hf:datasets/<owner>/<name>[@<revision>]/<file>"
                : "a dataset repository holds no models or SAEs: write hf:<owner>/<name>[@<revision>][/<folder>]");
        switch (wanted)
        {
            case HubFiles.DatasetFile:
                if (reference.Subfolder is null)
                    throw InvalidInputException.For(reference.Text, null, "names no file: write hf:datasets/<owner>/<name>[@<revision>]/<file>");
                // The path names the file itself; the snapshot "folder" below is then the file.
                await source.ExistsAsync(reference.Subfolder, required: true, cancellation).ConfigureAwait(false);
                files.Add(reference.Subfolder);
                break;
            case HubFiles.ModelConfig:
                await Need("config.json").ConfigureAwait(false);
                break;
            case HubFiles.Model:
                await Need("config.json").ConfigureAwait(false);
                // The order Checkpoint.Open reads them in: a single file first, else the shard index.
                if (!await Has(Checkpoints.Checkpoint.SingleFileName).ConfigureAwait(false))
                {
                    if (!await Has(Checkpoints.Checkpoint.IndexFileName).ConfigureAwait(false))
                        throw NotFound(reference, source.Commit!, null,
                            $"neither {Checkpoints.Checkpoint.SingleFileName} nor {Checkpoints.Checkpoint.IndexFileName} exists (only safetensors checkpoints are read)");
                    foreach (var shard in ShardsOf(Local(Checkpoints.Checkpoint.IndexFileName)))
                        await Need(shard).ConfigureAwait(false);
                }
                foreach (var optional in (string[])["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"])
                    await Has(optional).ConfigureAwait(false);
                break;
            case HubFiles.Sae:
            case HubFiles.SaeConfig:
                if (await Has("cfg.json").ConfigureAwait(false))
                {
                    if (wanted == HubFiles.Sae) await Need("sae_weights.safetensors").ConfigureAwait(false);
                    // SAELens writes the expected_average_only_in scaling factor here (see docs/saes.md).
                    await Has("activation_scaler.json").ConfigureAwait(false);
                }
                else if (!await Has("params.npz").ConfigureAwait(false))
                {
                    throw NotFound(reference, source.Commit!, null,
                        $"neither cfg.json (a SAELens SAE) nor params.npz (a Gemma Scope SAE) exists in {reference.Subfolder ?? "the repository root"}");
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(wanted), wanted, null);
        }

        var commit = source.Commit!;
        var folder = cache.SnapshotFolder(commit);
        if (reference.Subfolder is not null) folder = Path.Combine(folder, reference.Subfolder.Replace('/', Path.DirectorySeparatorChar));
        return new HubSnapshot(reference.Text, reference.UrlPath, reference.Revision, commit, reference.Subfolder, folder, files);
    }

    /// <summary>The distinct shard files of a <c>model.safetensors.index.json</c> <c>weight_map</c>, in name order.</summary>
    private static IReadOnlyList<string> ShardsOf(string indexPath)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            if (!document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw InvalidInputException.For(indexPath, "weight_map", "missing or not an object");
            var shards = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                var shard = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : "";
                // The shard is fetched into the snapshot folder, so it must be a plain name inside it.
                if (!ShardName().IsMatch(shard))
                    throw InvalidInputException.For(indexPath, $"weight_map.{entry.Name}", $"{entry.Value.GetRawText()} is not a .safetensors file name");
                shards.Add(shard);
            }
            return shards.ToArray();
        }
        catch (JsonException e)
        {
            throw InvalidInputException.For(indexPath, null, $"is not valid JSON ({e.Message})");
        }
    }

    private static InvalidInputException NotFound(HubReference reference, string commit, string? repoPath, string problem) =>
        InvalidInputException.For(reference.Text, repoPath, $"{problem} in {reference.UrlPath} at revision {reference.Revision} (commit {commit})");

    private static bool IsCommitHash(string revision) => CommitHash().IsMatch(revision);

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitHash();

    /// <summary>An ETag that is an LFS file's sha256 (a git blob's is 40 hex digits, and is not a content hash).</summary>
    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Etag();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+\.safetensors$")]
    private static partial Regex ShardName();

    /// <summary>Answers "is this file in the repository?" for <see cref="FetchAsync"/>, making it local when it is.</summary>
    private abstract class FileSource
    {
        /// <summary>The commit the files come from; known after the first answer.</summary>
        public abstract string? Commit { get; }

        /// <summary>True when the file is (now) in the snapshot; false when the repository has no such file and it is
        /// optional; an error naming it when it is required.</summary>
        public abstract Task<bool> ExistsAsync(string repoPath, bool required, CancellationToken cancellation);
    }

    /// <summary>A file the cache cannot answer for without asking the hub.</summary>
    private sealed class CacheMissException(string repoPath) : Exception(repoPath)
    {
        public string RepoPath { get; } = repoPath;
    }

    /// <summary>The cache alone: no network. Unknown files raise <see cref="CacheMissException"/>.</summary>
    private sealed class CachedFiles(HubReference reference, HubCache cache, string? commit) : FileSource
    {
        public override string? Commit => commit;

        public override Task<bool> ExistsAsync(string repoPath, bool required, CancellationToken cancellation)
        {
            if (commit is null) throw new CacheMissException(repoPath);
            if (HubCache.IsPresent(cache.SnapshotPath(commit, repoPath))) return Task.FromResult(true);
            // The cache remembers the hub's 404s, so a known-absent file needs no request either.
            if (!cache.IsMarkedMissing(commit, repoPath)) throw new CacheMissException(repoPath);
            if (required) throw NotFound(reference, commit, repoPath, "does not exist");
            return Task.FromResult(false);
        }
    }

    /// <summary>The hub, through the cache: files already in the snapshot are not fetched again.</summary>
    private sealed class RemoteFiles(HubResolver owner, HubReference reference, HubCache cache, string? commit,
        IProgress<HubProgress>? progress) : FileSource
    {
        private string? _commit = commit;

        public override string? Commit => _commit;

        public override async Task<bool> ExistsAsync(string repoPath, bool required, CancellationToken cancellation)
        {
            if (_commit is not null)
            {
                if (HubCache.IsPresent(cache.SnapshotPath(_commit, repoPath))) return true;
                if (cache.IsMarkedMissing(_commit, repoPath)) return Missing(repoPath, required);
            }

            // Asking by commit once it is known keeps every file of this snapshot at the same commit.
            var head = await owner._client.HeadAsync(reference, _commit ?? reference.Revision, repoPath, cancellation).ConfigureAwait(false);
            if (_commit is null)
            {
                if (head.Commit is null)
                {
                    if (!head.Exists) return Missing(repoPath, required);
                    throw new IOException($"{reference}: {repoPath}: the hub sent no X-Repo-Commit header, so the revision cannot be pinned");
                }
                _commit = head.Commit;
                if (_commit != reference.Revision) cache.WriteRef(reference.Revision, _commit);
            }
            if (!head.Exists)
            {
                cache.MarkMissing(_commit, repoPath);
                return Missing(repoPath, required);
            }
            if (HubCache.IsPresent(cache.SnapshotPath(_commit, repoPath))) return true;

            if (!HubCache.IsPresent(cache.BlobPath(head.Etag)))
                await DownloadAsync(repoPath, head, cancellation).ConfigureAwait(false);
            cache.Link(_commit, repoPath, head.Etag);
            return true;
        }

        private bool Missing(string repoPath, bool required) =>
            !required ? false : throw NotFound(reference, _commit ?? "unknown", repoPath, "does not exist");

        /// <summary>Fetches the blob, resuming <c>blobs/&lt;etag&gt;.incomplete</c> when an earlier attempt left one,
        /// under a lock shared with other processes (huggingface_hub's <c>.locks</c> file).</summary>
        private async Task DownloadAsync(string repoPath, HubHead head, CancellationToken cancellation)
        {
            var blob = cache.BlobPath(head.Etag);
            using var held = await LockAsync(cache.LockPath(head.Etag), cancellation).ConfigureAwait(false);
            if (HubCache.IsPresent(blob)) return; // another process finished it while we waited

            var incomplete = blob + ".incomplete";
            Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
            using var sha256 = Sha256Etag().IsMatch(head.Etag) ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
            long done;
            await using (var file = new FileStream(incomplete, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, BufferSize))
            {
                done = file.Length;
                if (done > head.Size)
                {
                    file.SetLength(0);
                    done = 0;
                }
                if (sha256 is not null && done > 0) await HashExistingAsync(file, sha256, cancellation).ConfigureAwait(false);
                file.Seek(done, SeekOrigin.Begin);
                done = await ReceiveAsync(repoPath, head, file, done, sha256, cancellation).ConfigureAwait(false);
            }

            var problem = done != head.Size
                ? $"the download has {done} bytes but the hub announced {head.Size}"
                : sha256 is not null && Convert.ToHexStringLower(sha256.GetHashAndReset()) is var actual && actual != head.Etag
                    ? $"the download's SHA-256 {actual} does not match the hub's ETag {head.Etag}"
                    : null;
            if (problem is not null)
            {
                File.Delete(incomplete);
                throw InvalidInputException.For(reference.Text, repoPath,
                    $"{problem}; the partial file was deleted, run again to download it afresh");
            }
            File.Move(incomplete, blob, overwrite: true);
        }

        /// <summary>GETs the file at the pinned commit from byte <paramref name="done"/> on and appends it to
        /// <paramref name="file"/>; returns the bytes the file then holds.</summary>
        private async Task<long> ReceiveAsync(string repoPath, HubHead head, FileStream file, long done, IncrementalHash? sha256,
            CancellationToken cancellation)
        {
            var url = owner._client.ResolveUrl(reference, _commit!, repoPath);
            var timeout = owner.Settings.Timeout;
            progress?.Report(new HubProgress(reference.Text, repoPath, done, head.Size));
            try
            {
                using var response = await owner._client.GetAsync(url, done, cancellation).ConfigureAwait(false);
                // 416: nothing left after byte `done`, so an earlier attempt already got everything.
                if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && done == head.Size) return done;
                HubClient.ThrowIfFailed(response, reference, repoPath, reference.Revision);
                if (response.StatusCode != HttpStatusCode.PartialContent && done > 0)
                {
                    // The server ignored the range and sends the whole file: start over.
                    file.SetLength(0);
                    done = 0;
                    sha256?.GetHashAndReset();
                }

                await using var body = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
                var buffer = new byte[BufferSize];
                using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                while (true)
                {
                    stall.CancelAfter(timeout);
                    int read;
                    try
                    {
                        read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                    {
                        throw new IOException($"no data for {timeout.TotalSeconds:0.#} s (HF_HUB_DOWNLOAD_TIMEOUT)");
                    }
                    if (read == 0) break;
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellation).ConfigureAwait(false);
                    sha256?.AppendData(buffer, 0, read);
                    done += read;
                    progress?.Report(new HubProgress(reference.Text, repoPath, done, head.Size));
                }
                return done;
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                // What arrived stays in the .incomplete file for the next attempt.
                await file.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                throw new IOException(
                    $"{reference}: {repoPath}: download interrupted after {file.Length} of {head.Size} bytes ({e.Message}); run again to resume", e);
            }
        }

        private static async Task HashExistingAsync(FileStream file, IncrementalHash sha256, CancellationToken cancellation)
        {
            file.Seek(0, SeekOrigin.Begin);
            var buffer = new byte[BufferSize];
            int read;
            while ((read = await file.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0) sha256.AppendData(buffer, 0, read);
        }

        /// <summary>An exclusive lock file (flock on Unix, as Python's filelock takes), polled while another process
        /// holds it.</summary>
        private static async Task<FileStream> LockAsync(string path, CancellationToken cancellation)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            while (true)
            {
                try
                {
                    return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), cancellation).ConfigureAwait(false);
                }
            }
        }
    }
}
