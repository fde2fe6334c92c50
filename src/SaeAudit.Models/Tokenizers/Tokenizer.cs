using System.Text.Json;

namespace SaeAudit.Models.Tokenizers;

/// <summary>A Hugging Face <c>tokenizer.json</c> with the semantics of HF's Rust <c>tokenizers</c> crate (what
/// <c>AutoTokenizer</c> / <c>*TokenizerFast</c> run): added tokens are cut out first, then each remaining piece
/// goes through normalizer, pre-tokenizer and BPE; the post-processor adds special tokens on request.</summary>
/// <remarks>Thread-safe. <c>truncation</c> and <c>padding</c> in the file are ignored, as transformers turns them
/// off for calls that do not ask for them.</remarks>
public sealed class Tokenizer
{
    private readonly AddedVocabulary _addedVocabulary;
    private readonly Normalizer? _normalizer;
    private readonly PreTokenizer? _preTokenizer;
    private readonly Bpe _model;
    private readonly PostProcessor? _postProcessor;
    private readonly Decoder? _decoder;

    private Tokenizer(AddedVocabulary addedVocabulary, Normalizer? normalizer, PreTokenizer? preTokenizer, Bpe model,
        PostProcessor? postProcessor, Decoder? decoder)
    {
        _addedVocabulary = addedVocabulary;
        _normalizer = normalizer;
        _preTokenizer = preTokenizer;
        _model = model;
        _postProcessor = postProcessor;
        _decoder = decoder;
        VocabSize = Math.Max(model.MaxId, addedVocabulary.MaxId ?? -1) + 1;
        SpecialTokenIds = addedVocabulary.SpecialIds.ToHashSet();
    }

    /// <summary>Largest id + 1 over the model vocab and the added tokens.</summary>
    public int VocabSize { get; }

    /// <summary>Ids of the added tokens marked <c>"special": true</c>.</summary>
    public IReadOnlySet<int> SpecialTokenIds { get; }

    /// <exception cref="InvalidInputException">The file cannot be read, is not valid JSON, or uses a field value
    /// or component this implementation does not support; the message names the file and the JSON field.</exception>
    public static Tokenizer Load(string tokenizerJsonPath)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(tokenizerJsonPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw InvalidInputException.For(tokenizerJsonPath, null, $"cannot read the file: {e.Message}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw InvalidInputException.For(tokenizerJsonPath, null, $"malformed JSON: {e.Message}");
        }

        using (document)
        {
            var root = new ConfigNode(tokenizerJsonPath, "", document.RootElement);
            if (root.Element.ValueKind != JsonValueKind.Object)
                throw root.Error("expected a JSON object at the top level");
            var model = LoadModel(root.Required("model"));
            var normalizer = root.Optional("normalizer") is { } n ? Normalizer.Load(n) : null;
            var addedTokens = root.Optional("added_tokens")?.Items().Select(LoadAddedToken).ToList() ?? [];
            return new Tokenizer(
                new AddedVocabulary(addedTokens, model, normalizer),
                normalizer,
                root.Optional("pre_tokenizer") is { } p ? PreTokenizer.Load(p) : null,
                model,
                root.Optional("post_processor") is { } pp ? PostProcessor.Load(pp) : null,
                root.Optional("decoder") is { } d ? Decoder.Load(d) : null);
        }
    }

    /// <summary>Token ids of <paramref name="text"/>. Added-token text inside it (e.g. "&lt;|endoftext|&gt;")
    /// always becomes that token (transformers' <c>split_special_tokens=False</c>);
    /// <paramref name="addSpecialTokens"/> applies the post-processor's template (e.g. Llama-2's BOS).</summary>
    public int[] Encode(string text, bool addSpecialTokens = false) =>
        EncodeCore(text, addSpecialTokens, wantsTokens: false).Ids.ToArray();

    /// <summary>The token strings of <see cref="Encode"/>, in vocab form ("Ġworld", "▁world", "&lt;0x0A&gt;").</summary>
    public IReadOnlyList<string> EncodeToTokens(string text, bool addSpecialTokens = false) =>
        EncodeCore(text, addSpecialTokens, wantsTokens: true).Tokens!;

    /// <summary>Runs the tokenizer.json decoder over the tokens of <paramref name="ids"/> (unknown ids are skipped, as
    /// HF does). No <c>clean_up_tokenization_spaces</c>: that is a transformers-level option.</summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var tokens = new List<string>(ids.Length);
        foreach (var id in ids)
        {
            if (IdToToken(id) is { } token && !(skipSpecialTokens && _addedVocabulary.IsSpecial(token)))
                tokens.Add(token);
        }
        return _decoder?.Decode(tokens) ?? string.Join(' ', tokens);
    }

    public int? TokenToId(string token) => _addedVocabulary.TokenToId(token) ?? _model.TokenToId(token);

    public string? IdToToken(int id) => _addedVocabulary.IdToToken(id) ?? _model.IdToToken(id);

    private EncodingBuilder EncodeCore(string text, bool addSpecialTokens, bool wantsTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        var encoding = new EncodingBuilder(wantsTokens);
        var rawSplits = new List<AddedSplit>();
        var normalizedSplits = new List<AddedSplit>();
        var words = new List<PreToken>();
        _addedVocabulary.Split(text, normalizedSet: false, rawSplits);
        foreach (var raw in rawSplits)
        {
            var rawText = Slice(text, raw.Range);
            if (raw.TokenId >= 0)
            {
                // HF's token string for an added token is the matched text (with any lstrip/rstrip spaces).
                encoding.Add(raw.TokenId, rawText);
                continue;
            }
            var normalized = _normalizer?.Normalize(rawText) ?? rawText;
            normalizedSplits.Clear();
            _addedVocabulary.Split(normalized, normalizedSet: true, normalizedSplits);
            foreach (var split in normalizedSplits)
            {
                var splitText = Slice(normalized, split.Range);
                if (split.TokenId >= 0)
                {
                    encoding.Add(split.TokenId, splitText);
                    continue;
                }
                var piece = new PreToken(splitText, AtInputStart: raw.Range.Start == 0 && split.Range.Start == 0);
                words.Clear();
                if (_preTokenizer is null)
                    words.Add(piece);
                else
                    _preTokenizer.PreTokenize(piece, words);
                foreach (var word in words)
                    _model.Tokenize(word.Text, encoding);
            }
        }
        return _postProcessor?.Process(encoding, addSpecialTokens) ?? encoding;
    }

    private static string Slice(string text, TextRange range) =>
        range.Length == text.Length ? text : text.Substring(range.Start, range.Length);

    private static Bpe LoadModel(ConfigNode node)
    {
        // Files written before the "type" tag existed are recognised by their fields, as HF's untagged fallback does.
        var type = node.Optional("type")?.AsString() ?? (node.Optional("merges") is not null ? "BPE" : null);
        return type switch
        {
            "BPE" => Bpe.Load(node),
            null => throw node.Error("model has no \"type\" and is not recognisable as BPE"),
            _ => throw node.Unsupported("model", type, "BPE"),
        };
    }

    private static AddedToken LoadAddedToken(ConfigNode node)
    {
        node.Required("id").AsInt(); // required by HF's format, though HF assigns the id itself (see AddedVocabulary)
        var special = node.OptionalBool("special", false);
        return new AddedToken(
            node.Required("content").AsString(),
            special,
            node.OptionalBool("single_word", false),
            node.OptionalBool("lstrip", false),
            node.OptionalBool("rstrip", false),
            node.OptionalBool("normalized", !special));
    }
}
