namespace SaeAudit.Testing;

/// <summary>Locates the repository and <c>../shared/fixtures</c> (CI places shared/ beside the checkout).</summary>
internal static class Fixtures
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SharedRoot { get; } = FindShared();

    public static string Path(params string[] parts) => System.IO.Path.Combine([SharedRoot, "fixtures", .. parts]);

    /// <summary>Walks up from the test binary (tests/X/bin/...), not from [CallerFilePath]: CI builds set
    /// ContinuousIntegrationBuild, which maps source paths to "/_/".</summary>
    private static string FindRepoRoot()
    {
        var here = AppContext.BaseDirectory;
        var dir = new DirectoryInfo(here);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "SaeAudit.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("SaeAudit.sln not found above " + here);
    }

    private static string FindShared()
    {
        var fromEnv = Environment.GetEnvironmentVariable("SAEAUDIT_SHARED");
        if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
        var shared = System.IO.Path.GetFullPath(System.IO.Path.Combine(RepoRoot, "..", "shared"));
        if (!Directory.Exists(System.IO.Path.Combine(shared, "fixtures")))
            throw new DirectoryNotFoundException($"Test fixtures not found at {shared}/fixtures (set SAEAUDIT_SHARED).");
        return shared;
    }
}
