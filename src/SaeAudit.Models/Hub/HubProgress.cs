namespace SaeAudit.Models.Hub;

/// <summary>A download under way: reported when it starts (or resumes), after every chunk, and when complete.</summary>
/// <param name="Reference">The <c>hf:</c> reference being resolved.</param>
/// <param name="File">The file's path in the repository.</param>
/// <param name="BytesDone">Bytes in the cache so far, including those of an earlier, interrupted attempt.</param>
/// <param name="BytesTotal">The file's size.</param>
public readonly record struct HubProgress(string Reference, string File, long BytesDone, long BytesTotal);
