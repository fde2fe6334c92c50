namespace SaeAudit.Models.Hub;

/// <summary>A resolved <c>hf:</c> reference: the local folder to load from and the exact commit its files come
/// from (for provenance: a branch such as <c>main</c> moves, a commit does not).</summary>
/// <param name="Reference">The reference as given, e.g. <c>hf:google/gemma-scope-2b-pt-res/layer_12/width_16k/average_l0_82</c>.</param>
/// <param name="Repo">The repository id, <c>owner/name</c> (<c>datasets/owner/name</c> for a dataset repository).</param>
/// <param name="Revision">The revision asked for (<c>main</c> when the reference names none).</param>
/// <param name="Commit">The 40-hex commit hash the revision resolved to.</param>
/// <param name="Subfolder">The path inside the repository (a folder, or a dataset's file), or null for its root.</param>
/// <param name="Folder">The local folder: <c>&lt;cache&gt;/models--owner--name/snapshots/&lt;commit&gt;[/&lt;subfolder&gt;]</c>;
/// for a dataset file, that file (under <c>datasets--owner--name</c>).</param>
/// <param name="Files">The files this request needed that exist, relative to <paramref name="Folder"/> (for a dataset
/// file: its path in the repository), in the order they were looked up (absent optional files are left out).</param>
public sealed record HubSnapshot(
    string Reference, string Repo, string Revision, string Commit, string? Subfolder, string Folder,
    IReadOnlyList<string> Files);
