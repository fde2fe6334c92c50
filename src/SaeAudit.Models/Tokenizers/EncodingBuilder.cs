namespace SaeAudit.Models.Tokenizers;

/// <summary>The ids (and, on request, token strings) of one encoded text.</summary>
internal sealed class EncodingBuilder(bool wantsTokens)
{
    public List<int> Ids { get; } = [];

    public List<string>? Tokens { get; } = wantsTokens ? [] : null;

    public bool WantsTokens => Tokens is not null;

    public void Add(int id, string? token)
    {
        Ids.Add(id);
        Tokens?.Add(token!);
    }
}
