using SaeAudit.Models;

namespace SaeAudit.Cli.Tracing;

/// <summary>Output files are written into a hidden folder beside the destination (same file system) and moved in
/// only once all of them are complete, so a failure or Ctrl+C leaves no half-written output. Disposing without
/// <see cref="Commit"/> deletes the staged files.</summary>
internal sealed class StagedFolder : IDisposable
{
    public StagedFolder(string destination)
    {
        Destination = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination));
        if (File.Exists(Destination))
            throw InvalidInputException.For(Destination, "--out", "is a file; expected a folder (created if missing)");
        var parent = Path.GetDirectoryName(Destination)!;
        Directory.CreateDirectory(parent);
        Staging = Path.Combine(parent, $".{Path.GetFileName(Destination)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(Staging);
    }

    public string Destination { get; }

    private string Staging { get; }

    /// <summary>Where to write <paramref name="fileName"/> before the commit.</summary>
    public string PathOf(string fileName) => Path.Combine(Staging, fileName);

    /// <summary>Moves every staged file into the destination (replacing files of the same name) and returns their
    /// names. Each move is a rename, so every file appears complete.</summary>
    public IReadOnlyList<string> Commit()
    {
        Directory.CreateDirectory(Destination);
        var names = Directory.GetFiles(Staging).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        foreach (var name in names)
            File.Move(Path.Combine(Staging, name!), Path.Combine(Destination, name!), overwrite: true);
        return names!;
    }

    public void Dispose()
    {
        if (Directory.Exists(Staging)) Directory.Delete(Staging, recursive: true);
    }
}
