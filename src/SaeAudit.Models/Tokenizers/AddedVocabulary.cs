using System.Buffers;
using System.Globalization;

namespace SaeAudit.Models.Tokenizers;

/// <summary>One entry of tokenizer.json <c>added_tokens</c>.</summary>
internal sealed record AddedToken(string Content, bool Special, bool SingleWord, bool LStrip, bool RStrip, bool Normalized);

/// <summary>A non-empty piece of text: an added token (<see cref="TokenId"/> &gt;= 0) or plain text (-1).</summary>
internal readonly record struct AddedSplit(TextRange Range, int TokenId);

/// <summary>HF's <c>AddedVocabulary</c>: added tokens are cut out of the text before the pipeline runs, by
/// leftmost-longest matching. Tokens with <c>normalized: false</c> are matched in the raw text, the others in
/// the normalized text of each remaining piece.</summary>
internal sealed class AddedVocabulary
{
    private readonly Dictionary<string, int> _idByContent = new(StringComparer.Ordinal);
    private readonly Dictionary<int, AddedToken> _tokenById = [];
    private readonly HashSet<string> _specialContents = new(StringComparer.Ordinal);
    private readonly TokenTrie _rawTrie;
    private readonly TokenTrie _normalizedTrie;

    /// <summary>Registers the tokens the way HF's <c>add_tokens</c> does when it reads tokenizer.json: a token
    /// already in the model vocab keeps that id, a new one gets the next id after the vocab (HF only warns if the
    /// file's <c>id</c> disagrees).</summary>
    public AddedVocabulary(IReadOnlyList<AddedToken> tokens, Bpe model, Normalizer? normalizer)
    {
        var specials = new List<AddedToken>();
        var classics = new List<AddedToken>();
        foreach (var token in tokens.Where(t => t.Special && t.Content.Length > 0))
        {
            if (_specialContents.Add(token.Content))
                specials.Add(token);
        }
        foreach (var token in tokens)
        {
            if (token.Content.Length == 0 || IsRegistered(token))
                continue;
            var id = TokenToId(token.Content) ?? model.TokenToId(token.Content) ?? NextFreeId(model);
            MaxId = Math.Max(MaxId ?? id, id);
            _idByContent[token.Content] = id;
            _tokenById[id] = token;
            if (!_specialContents.Contains(token.Content))
                classics.Add(token);
        }

        // Normalized tokens are matched by their normalized form (a Prepend normalizer would prefix them too).
        var matchable = specials.Concat(classics).ToList();
        _rawTrie = new TokenTrie(matchable.Where(t => !t.Normalized).Select(t => (t.Content, _idByContent[t.Content])));
        _normalizedTrie = new TokenTrie(matchable.Where(t => t.Normalized)
            .Select(t => (normalizer?.Normalize(t.Content) ?? t.Content, _idByContent[t.Content])));
    }

    public int? MaxId { get; }

    public IEnumerable<int> SpecialIds => _specialContents.Select(content => _idByContent[content]);

    public int? TokenToId(string content) => _idByContent.TryGetValue(content, out var id) ? id : null;

    public string? IdToToken(int id) => _tokenById.TryGetValue(id, out var token) ? token.Content : null;

    /// <summary>HF's skip_special_tokens test, which is by token text.</summary>
    public bool IsSpecial(string token) => _specialContents.Contains(token);

    /// <summary>Appends the pieces of <paramref name="text"/>: added tokens from the raw-text set
    /// (<paramref name="normalizedSet"/> false) or from the normalized set, and the plain text between them.</summary>
    public void Split(string text, bool normalizedSet, List<AddedSplit> output)
    {
        var trie = normalizedSet ? _normalizedTrie : _rawTrie;
        var pieceStart = 0; // HF's start_offset: where the text not yet emitted begins
        var searchFrom = 0;
        while (trie.FindNext(text, searchFrom, out var start, out var end, out var id))
        {
            searchFrom = end;
            var token = _tokenById[id];
            if (token.SingleWord && (EndsWithWordCharacter(text, start) || StartsWithWordCharacter(text, end)))
                continue;
            if (token.LStrip)
            {
                var newStart = start;
                while (newStart > 0 && char.IsWhiteSpace(text[newStart - 1]))
                    newStart--;
                start = Math.Max(newStart, pieceStart); // spaces already taken by the previous match stay there
            }
            if (token.RStrip)
            {
                while (end < text.Length && char.IsWhiteSpace(text[end]))
                    end++;
            }
            if (pieceStart < start)
                output.Add(new AddedSplit(new TextRange(pieceStart, start), -1));
            output.Add(new AddedSplit(new TextRange(start, end), id));
            pieceStart = end;
        }
        if (pieceStart < text.Length)
            output.Add(new AddedSplit(new TextRange(pieceStart, text.Length), -1));
    }

    /// <summary>HF skips a token equal (all flags included) to one already registered; such a token can only be
    /// registered under its content's id.</summary>
    private bool IsRegistered(AddedToken token) =>
        _idByContent.TryGetValue(token.Content, out var id) && _tokenById.TryGetValue(id, out var current) && current == token;

    private int NextFreeId(Bpe model)
    {
        var vocabSize = model.VocabCount;
        if (MaxId is not { } max)
            return vocabSize;
        return max >= vocabSize || vocabSize == 0 ? max + 1 : vocabSize;
    }

    // single_word uses Rust regex's Unicode \w: letters, marks, decimal digits, connector punctuation, joiners.
    private static bool EndsWithWordCharacter(string text, int end) =>
        end > 0 && IsWordCharacter(char.IsLowSurrogate(text[end - 1]) && end > 1 && char.IsHighSurrogate(text[end - 2])
            ? char.ConvertToUtf32(text[end - 2], text[end - 1])
            : text[end - 1]);

    private static bool StartsWithWordCharacter(string text, int start) =>
        start < text.Length && IsWordCharacter(char.IsHighSurrogate(text[start]) && start + 1 < text.Length && char.IsLowSurrogate(text[start + 1])
            ? char.ConvertToUtf32(text[start], text[start + 1])
            : text[start]);

    private static bool IsWordCharacter(int codePoint) => codePoint is 0x200C or 0x200D
        || CharUnicodeInfo.GetUnicodeCategory(codePoint) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation => true,
            _ => false,
        };

    /// <summary>Leftmost-longest matcher (the Aho-Corasick <c>MatchKind::LeftmostLongest</c> HF uses): at the
    /// first position where any token matches, the longest such token.</summary>
    private sealed class TokenTrie
    {
        private readonly Node _root = new();
        /// <summary>Characters a token can start with: lets the search skip plain text with a vectorized scan.</summary>
        private readonly SearchValues<char> _firstChars;

        private sealed class Node
        {
            public Dictionary<char, Node>? Children;
            public int TokenId = -1;
        }

        public TokenTrie(IEnumerable<(string Content, int Id)> tokens)
        {
            var firstChars = new HashSet<char>();
            foreach (var (content, id) in tokens)
            {
                if (content.Length == 0)
                    continue;
                var node = _root;
                foreach (var c in content)
                {
                    node.Children ??= [];
                    if (!node.Children.TryGetValue(c, out var child))
                        node.Children[c] = child = new Node();
                    node = child;
                }
                if (node.TokenId < 0)
                    node.TokenId = id; // the first of identical patterns wins
                firstChars.Add(content[0]);
            }
            _firstChars = SearchValues.Create([.. firstChars]);
        }

        public bool FindNext(string text, int from, out int start, out int end, out int id)
        {
            for (start = from; start < text.Length; start++)
            {
                var skip = text.AsSpan(start).IndexOfAny(_firstChars);
                if (skip < 0)
                    break;
                start += skip;
                end = -1;
                id = -1;
                var node = _root;
                for (var i = start; i < text.Length; i++)
                {
                    if (node.Children is null || !node.Children.TryGetValue(text[i], out var child))
                        break;
                    node = child;
                    if (node.TokenId >= 0)
                    {
                        end = i + 1;
                        id = node.TokenId;
                    }
                }
                if (end >= 0)
                    return true;
            }
            start = end = id = -1;
            return false;
        }
    }
}
