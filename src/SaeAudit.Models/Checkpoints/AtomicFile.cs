namespace SaeAudit.Models.Checkpoints;

/// <summary>Writes a file so that readers see either the old content or the complete new one: bytes go to a
/// temporary file in the same folder (same file system, so the final rename is atomic), which <see cref="Commit"/>
/// moves over the target. Disposing without committing deletes the temporary file.</summary>
internal sealed class AtomicFile : IDisposable
{
    private readonly string _path;
    private readonly string _temp;
    private readonly FileStream _stream;
    private bool _committed;

    private AtomicFile(string path)
    {
        _path = Path.GetFullPath(path);
        _temp = Path.Combine(Path.GetDirectoryName(_path)!, $".{Path.GetFileName(_path)}.{Guid.NewGuid():N}.tmp");
        _stream = new FileStream(_temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
    }

    public Stream Stream => _stream;

    public static AtomicFile Create(string path) => new(path);

    public void Commit()
    {
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        File.Move(_temp, _path, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (_committed) return;
        _stream.Dispose();
        File.Delete(_temp);
    }
}
