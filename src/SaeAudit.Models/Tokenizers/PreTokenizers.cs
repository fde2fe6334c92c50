namespace SaeAudit.Models.Tokenizers;

/// <summary>A piece of normalized text on its way to the model. <see cref="AtInputStart"/> says whether it begins
/// at offset 0 of the original input (what Metaspace's <c>prepend_scheme: "first"</c> asks).</summary>
internal readonly record struct PreToken(string Text, bool AtInputStart);

/// <summary>tokenizer.json <c>pre_tokenizer</c>: splits each normalized piece into the words the model encodes
/// independently (and may rewrite them, as ByteLevel does).</summary>
internal abstract class PreTokenizer
{
    /// <summary>Appends the non-empty pieces <paramref name="piece"/> splits into (HF drops empty splits).</summary>
    public abstract void PreTokenize(PreToken piece, List<PreToken> output);

    public static PreTokenizer Load(ConfigNode node)
    {
        var type = node.TypeName();
        return type switch
        {
            "Sequence" => new SequencePreTokenizer(node.Required("pretokenizers").Items().Select(Load).ToArray()),
            "ByteLevel" => new ByteLevelPreTokenizer(
                node.OptionalBool("add_prefix_space", true), node.OptionalBool("use_regex", true)),
            "Split" => new SplitPreTokenizer(
                TextPattern.Parse(node.Required("pattern")), ParseBehavior(node.Required("behavior")),
                node.OptionalBool("invert", false)),
            "Metaspace" => MetaspacePreTokenizer.FromConfig(node),
            _ => throw node.Unsupported("pre-tokenizer", type, "Sequence, ByteLevel, Split, Metaspace"),
        };
    }

    /// <summary>Appends the non-empty <paramref name="ranges"/> of <paramref name="text"/> as pieces of
    /// <paramref name="parent"/>; <paramref name="rewrite"/> maps each piece's text (ByteLevel).</summary>
    protected static void AddPieces(PreToken parent, string text, List<TextRange> ranges, List<PreToken> output,
        Func<string, string>? rewrite = null)
    {
        foreach (var range in ranges)
        {
            if (range.Length == 0)
                continue;
            var pieceText = range.Length == text.Length ? text : text.Substring(range.Start, range.Length);
            output.Add(new PreToken(rewrite is null ? pieceText : rewrite(pieceText), parent.AtInputStart && range.Start == 0));
        }
    }

    private static SplitDelimiterBehavior ParseBehavior(ConfigNode node)
    {
        var name = node.AsString();
        return Enum.TryParse<SplitDelimiterBehavior>(name, ignoreCase: false, out var behavior) && Enum.IsDefined(behavior)
            ? behavior
            : throw node.Error($"unknown split behavior '{name}' (expected Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)");
    }
}

internal sealed class SequencePreTokenizer(PreTokenizer[] stages) : PreTokenizer
{
    public override void PreTokenize(PreToken piece, List<PreToken> output)
    {
        var current = new List<PreToken> { piece };
        foreach (var stage in stages)
        {
            var next = new List<PreToken>(current.Count);
            foreach (var p in current)
                stage.PreTokenize(p, next);
            current = next;
        }
        output.AddRange(current);
    }
}

/// <summary>GPT-2's pre-tokenizer: optional prefix space, the GPT-2 split regex, then every UTF-8 byte spelled
/// with <see cref="ByteLevelAlphabet"/>.</summary>
internal sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : PreTokenizer
{
    /// <summary>The regex HF's ByteLevel applies when <c>use_regex</c> is true (GPT-2's encoder.py pattern).</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly TextPattern Gpt2Split = new RegexPattern(CodePointRegex.Get(Gpt2Pattern));
    private static readonly Func<string, string> ToAlphabet = ByteLevelAlphabet.Encode;

    public override void PreTokenize(PreToken piece, List<PreToken> output)
    {
        var text = addPrefixSpace && !piece.Text.StartsWith(' ') ? " " + piece.Text : piece.Text;
        var ranges = new List<TextRange>();
        if (useRegex)
            Gpt2Split.Split(text, SplitDelimiterBehavior.Isolated, invert: false, ranges);
        else
            ranges.Add(new TextRange(0, text.Length));
        AddPieces(piece, text, ranges, output, ToAlphabet);
    }
}

internal sealed class SplitPreTokenizer(TextPattern pattern, SplitDelimiterBehavior behavior, bool invert) : PreTokenizer
{
    public override void PreTokenize(PreToken piece, List<PreToken> output)
    {
        var ranges = new List<TextRange>();
        pattern.Split(piece.Text, behavior, invert, ranges);
        AddPieces(piece, piece.Text, ranges, output);
    }
}

/// <summary>SentencePiece-style pre-tokenizer: spaces become the replacement character ("▁"), which is
/// optionally prepended and then starts each word (split MergedWithNext).</summary>
internal sealed class MetaspacePreTokenizer : PreTokenizer
{
    private readonly char _replacement;
    private readonly PrependScheme _prependScheme;
    private readonly TextPattern? _split;

    private MetaspacePreTokenizer(char replacement, PrependScheme prependScheme, bool split)
    {
        _replacement = replacement;
        _prependScheme = prependScheme;
        _split = split ? new LiteralPattern(replacement.ToString()) : null;
    }

    public static MetaspacePreTokenizer FromConfig(ConfigNode node) =>
        new(node.Required("replacement").AsChar(), ParsePrependScheme(node), node.OptionalBool("split", true));

    /// <summary>Shared with the Metaspace decoder. Older files carry only <c>add_prefix_space</c>
    /// (true = "always", false = "never"); HF rejects a contradicting pair.</summary>
    public static PrependScheme ParsePrependScheme(ConfigNode node)
    {
        var addPrefixSpace = node.Optional("add_prefix_space")?.AsBool();
        var schemeNode = node.Optional("prepend_scheme");
        PrependScheme? scheme = schemeNode is { } s
            ? s.AsString() switch
            {
                "always" => PrependScheme.Always,
                "never" => PrependScheme.Never,
                "first" => PrependScheme.First,
                var other => throw s.Error($"unknown prepend_scheme '{other}' (expected always, never, first)"),
            }
            : null;
        if (addPrefixSpace == false)
        {
            if (scheme is not null and not PrependScheme.Never)
                throw node.Error("add_prefix_space does not match declared prepend_scheme");
            return PrependScheme.Never;
        }
        return scheme ?? PrependScheme.Always;
    }

    public override void PreTokenize(PreToken piece, List<PreToken> output)
    {
        var text = piece.Text.Replace(' ', _replacement);
        var prepend = _prependScheme switch
        {
            PrependScheme.Always => true,
            PrependScheme.First => piece.AtInputStart,
            _ => false,
        };
        if (prepend && !text.StartsWith(_replacement))
            text = _replacement + text;
        var ranges = new List<TextRange>();
        if (_split is null)
            ranges.Add(new TextRange(0, text.Length));
        else
            _split.Split(text, SplitDelimiterBehavior.MergedWithNext, invert: false, ranges);
        AddPieces(piece, text, ranges, output);
    }
}

internal enum PrependScheme
{
    Always,
    Never,
    First,
}
