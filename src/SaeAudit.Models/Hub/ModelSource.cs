namespace SaeAudit.Models.Hub;

/// <summary>Where a model, SAE or dataset file is loaded from: a local path as given, or an <c>hf:</c> reference
/// (<see cref="HubReference"/>) resolved into the hub cache. Every command that takes such a path goes through
/// <see cref="Resolve"/>, so <c>hf:</c> works wherever a path does.</summary>
/// <param name="Reference">What the user wrote.</param>
/// <param name="Folder">The local folder (or, for a dataset, the file) to load.</param>
/// <param name="Snapshot">For an <c>hf:</c> reference, the repository, revision and commit it resolved to; else null.</param>
public sealed record ModelSource(string Reference, string Folder, HubSnapshot? Snapshot)
{
    /// <summary>A local path is returned as it is (its loader reports what is missing); an <c>hf:</c> reference is
    /// fetched as <paramref name="wanted"/> says, with <see cref="HubSettings.FromEnvironment"/> unless
    /// <paramref name="settings"/> is given.</summary>
    public static ModelSource Resolve(string pathOrReference, HubFiles wanted, IProgress<HubProgress>? progress = null,
        HubSettings? settings = null, CancellationToken cancellation = default)
    {
        if (!HubReference.IsHubReference(pathOrReference)) return new ModelSource(pathOrReference, pathOrReference, null);
        using var resolver = new HubResolver(settings ?? HubSettings.FromEnvironment());
        var snapshot = resolver.Resolve(pathOrReference, wanted, progress, cancellation);
        return new ModelSource(pathOrReference, snapshot.Folder, snapshot);
    }
}
