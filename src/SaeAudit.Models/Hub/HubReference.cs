using System.Text.RegularExpressions;

namespace SaeAudit.Models.Hub;

/// <summary>The kind of Hugging Face repository a reference names.</summary>
public enum HubRepoKind
{
    Model,
    Dataset,
}

/// <summary>A parsed <c>hf:</c> reference to a folder or file of a Hugging Face repository, in the syntax of
/// huggingface_hub's <c>HfFileSystem</c> (<c>hf://[datasets/]owner/name@revision/path</c>) with the <c>hf:</c> prefix:
/// <code>hf:[datasets/]&lt;owner&gt;/&lt;name&gt;[@&lt;revision&gt;][/&lt;path&gt;...]</code>
/// e.g. <c>hf:openai-community/gpt2</c>, <c>hf:EleutherAI/pythia-70m@v0.1</c>,
/// <c>hf:google/gemma-scope-2b-pt-res/layer_12/width_16k/average_l0_82</c>,
/// <c>hf:datasets/NeelNanda/pile-10k/data/train.jsonl</c>. A <c>datasets/</c> prefix names a dataset repository, else a
/// model repository. The repository id is always the next two segments (legacy ids without an owner, like <c>gpt2</c>,
/// must be spelled in full: <c>openai-community/gpt2</c>); the revision (branch, tag or commit hash; default
/// <c>main</c>) follows the name after <c>@</c>, with any <c>/</c> in it written <c>%2F</c> (<c>@refs%2Fpr%2F1</c>);
/// everything after is the path inside the repository (a folder for models and SAEs, a file for datasets).</summary>
public sealed partial record HubReference(string Text, string Repo, string Revision, string? Subfolder,
    HubRepoKind Kind = HubRepoKind.Model)
{
    public const string Prefix = "hf:";

    public const string DefaultRevision = "main";

    public const string Syntax = "hf:[datasets/]<owner>/<name>[@<revision>][/<path>...]";

    private const string DatasetsPrefix = "datasets";

    public static bool IsHubReference(string pathOrReference) => pathOrReference.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The cache folder name huggingface_hub uses for this repository: <c>models--owner--name</c> or
    /// <c>datasets--owner--name</c>.</summary>
    public string CacheFolderName =>
        (Kind == HubRepoKind.Dataset ? "datasets--" : "models--") + Repo.Replace("/", "--", StringComparison.Ordinal);

    /// <summary>The repository in the hub's URLs: <c>owner/name</c>, or <c>datasets/owner/name</c>.</summary>
    public string UrlPath => Kind == HubRepoKind.Dataset ? DatasetsPrefix + "/" + Repo : Repo;

    /// <summary><paramref name="path"/> (relative to <see cref="Subfolder"/>) as a path in the repository.</summary>
    public string InRepo(string path) => Subfolder is null ? path : Subfolder + "/" + path;

    public override string ToString() => Text;

    /// <summary>Parses <paramref name="text"/>; anything malformed is an <see cref="InvalidInputException"/> naming it.</summary>
    public static HubReference Parse(string text)
    {
        if (!IsHubReference(text)) throw Error(text, $"does not start with \"{Prefix}\"");
        var segments = text[Prefix.Length..].Split('/');
        var kind = HubRepoKind.Model;
        if (segments[0] == DatasetsPrefix)
        {
            kind = HubRepoKind.Dataset;
            segments = segments[1..];
        }
        if (segments.Length < 2 || segments[0].Length == 0 || segments[1].Length == 0)
            throw Error(text, "needs a repository id owner/name");

        var owner = segments[0];
        var (name, revision) = segments[1].IndexOf('@') is var at and >= 0
            ? (segments[1][..at], Uri.UnescapeDataString(segments[1][(at + 1)..]))
            : (segments[1], DefaultRevision);
        if (owner is "spaces")
            throw Error(text, "spaces are not supported; models and SAEs come from model repositories, datasets from dataset repositories");
        foreach (var part in new[] { owner, name })
            if (!RepoPart().IsMatch(part) || part.Contains("--", StringComparison.Ordinal) || part.Contains("..", StringComparison.Ordinal))
                throw Error(text, $"\"{part}\" is not a valid repository owner or name (letters, digits, '-', '_', '.'; no '--' or '..'; not starting or ending with '-' or '.')");
        var repo = owner + "/" + name;
        if (repo.Length > 96) throw Error(text, "the repository id is longer than 96 characters");
        // The revision names a file under refs/, so it must stay inside that folder.
        if (revision.Length == 0 || revision.Split('/').Any(s => s is "" or "." or "..") || revision.Contains('\\'))
            throw Error(text, $"\"{revision}\" is not a valid revision");

        string? subfolder = null;
        if (segments.Length > 2)
        {
            var folder = segments[2..];
            if (folder.Any(s => s is "" or "." or ".." || s.Contains('\\') || s.Contains('@')))
                throw Error(text, "the path must be '/'-separated names without empty, '.' or '..' parts (the revision goes right after the name: owner/name@revision/path)");
            subfolder = string.Join('/', folder);
        }
        return new HubReference(text, repo, revision, subfolder, kind);
    }

    private static InvalidInputException Error(string text, string problem) =>
        InvalidInputException.For(text, null, $"{problem} (expected {Syntax})");

    [GeneratedRegex(@"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?$")]
    private static partial Regex RepoPart();
}
