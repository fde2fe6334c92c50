namespace SaeAudit.Models.Hub;

/// <summary>One repository's folder in the huggingface_hub cache layout, shared with Python tools:
/// <code>
/// &lt;cache&gt;/models--owner--name/
///   refs/&lt;revision&gt;                 the commit hash the revision resolved to
///   blobs/&lt;etag&gt;                    file contents, named by their ETag (sha256 for LFS files, git blob sha1 otherwise)
///   snapshots/&lt;commit&gt;/&lt;path&gt;      a relative symlink to the blob (a copy where symlinks fail)
///   .no_exist/&lt;commit&gt;/&lt;path&gt;      an empty file: the hub answered 404 for this path at this commit
/// &lt;cache&gt;/.locks/models--owner--name/&lt;etag&gt;.lock   held while the blob downloads
/// </code></summary>
internal sealed class HubCache(string root, HubReference reference)
{
    public string Storage { get; } = Path.Combine(root, reference.CacheFolderName);

    /// <summary>The commit <paramref name="revision"/> resolved to when last fetched, or null.</summary>
    public string? ReadRef(string revision)
    {
        var path = RefPath(revision);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    public void WriteRef(string revision, string commit)
    {
        if (ReadRef(revision) == commit) return;
        WriteAtomically(RefPath(revision), commit);
    }

    public string SnapshotFolder(string commit) => Path.Combine(Storage, "snapshots", commit);

    public string SnapshotPath(string commit, string repoPath) => Path.Combine(SnapshotFolder(commit), Local(repoPath));

    public string BlobPath(string etag) => Path.Combine(Storage, "blobs", etag);

    public string LockPath(string etag) => Path.Combine(root, ".locks", reference.CacheFolderName, etag + ".lock");

    public bool IsMarkedMissing(string commit, string repoPath) => File.Exists(NoExistPath(commit, repoPath));

    public void MarkMissing(string commit, string repoPath)
    {
        var path = NoExistPath(commit, repoPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
    }

    /// <summary>Whether <paramref name="path"/> is a file whose content can be read: a dangling snapshot symlink (its
    /// blob deleted to free space) does not count.</summary>
    public static bool IsPresent(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) return false;
        return info.LinkTarget is null || info.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true };
    }

    /// <summary>Points <c>snapshots/&lt;commit&gt;/&lt;path&gt;</c> at the blob with a relative symlink, as huggingface_hub
    /// does (so the cache can move), or copies the blob where the file system refuses symlinks.</summary>
    public void Link(string commit, string repoPath, string etag)
    {
        var pointer = SnapshotPath(commit, repoPath);
        var blob = BlobPath(etag);
        var folder = Path.GetDirectoryName(pointer)!;
        Directory.CreateDirectory(folder);
        if (new FileInfo(pointer) is { LinkTarget: not null } || File.Exists(pointer)) File.Delete(pointer);
        try
        {
            File.CreateSymbolicLink(pointer, Path.GetRelativePath(folder, blob));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            File.Copy(blob, pointer, overwrite: true);
        }
    }

    private string RefPath(string revision) => Path.Combine(Storage, "refs", Local(revision));

    private string NoExistPath(string commit, string repoPath) => Path.Combine(Storage, ".no_exist", commit, Local(repoPath));

    private static string Local(string repoPath) => repoPath.Replace('/', Path.DirectorySeparatorChar);

    /// <summary>Readers see the old content or the new, never a torn file.</summary>
    private static void WriteAtomically(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}
