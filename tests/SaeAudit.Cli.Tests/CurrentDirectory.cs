namespace SaeAudit.Cli.Tests;

/// <summary>Tests that change the process's current directory (to check paths resolved against it) run in this
/// collection, which xunit runs alone after the parallel ones, so no other test sees the change.</summary>
[CollectionDefinition(nameof(CurrentDirectoryCollection), DisableParallelization = true)]
public sealed class CurrentDirectoryCollection;

/// <summary>Sets the current directory until disposed.</summary>
internal sealed class CurrentDirectory : IDisposable
{
    private readonly string _previous = Environment.CurrentDirectory;

    public CurrentDirectory(string path) => Environment.CurrentDirectory = path;

    public void Dispose() => Environment.CurrentDirectory = _previous;
}
