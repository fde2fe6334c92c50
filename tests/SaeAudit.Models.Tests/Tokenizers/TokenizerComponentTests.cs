using System.Text.Json.Nodes;
using SaeAudit.Models.Tokenizers;

namespace SaeAudit.Models.Tests.Tokenizers;

/// <summary>Component behaviour the fixture cases do not reach, checked against HF's documented/tested results.</summary>
public sealed class TokenizerComponentTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("saeaudit-tokenizer-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // HF's SplitDelimiterBehavior documentation example.
    [Theory]
    [InlineData("Removed", false, new[] { "the", "final", "countdown" })]
    [InlineData("Isolated", false, new[] { "the", "-", "final", "-", "-", "countdown" })]
    [InlineData("MergedWithPrevious", false, new[] { "the-", "final-", "-", "countdown" })]
    [InlineData("MergedWithNext", false, new[] { "the", "-final", "-", "-countdown" })]
    [InlineData("Contiguous", false, new[] { "the", "-", "final", "--", "countdown" })]
    [InlineData("Removed", true, new[] { "-", "-", "-" })]
    public void Split_AppliesDelimiterBehavior(string behavior, bool invert, string[] expected)
    {
        const string text = "the-final--countdown";
        var ranges = new List<TextRange>();
        new LiteralPattern("-").Split(text, Enum.Parse<SplitDelimiterBehavior>(behavior), invert, ranges);
        ranges.Select(r => text[r.Start..r.End]).Should().Equal(expected);
    }

    [Fact]
    public void Regex_MatchesCodePointsLikeOnig()
    {
        Matches(@"\p{L}+", "a𝐀b 𠀀😀").Should().Equal("a𝐀b", "𠀀");
        Matches(@"\p{N}{1,3}", "𝟏𝟐𝟑𝟒").Should().Equal("𝟏𝟐𝟑", "𝟒");
        Matches(@"^.{2}", "😀😀x").Should().Equal("😀😀");
        // An empty match right after the previous match is skipped (onig / Rust regex), unlike .NET's Matches.
        Matches("a*", "baa").Should().Equal("", "aa");
    }

    // HF's metaspace.rs tests.
    [Fact]
    public void Metaspace_PrependsAndSplits()
    {
        var always = MetaspacePreTokenizer.FromConfig(Config("""{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always"}"""));
        PreTokenize(always, new PreToken("Hey   friend!", true)).Should().Equal("▁Hey", "▁", "▁", "▁friend!");

        // "first": only the piece at the start of the input gets the prefix (here "<s>" was split out before).
        var first = MetaspacePreTokenizer.FromConfig(Config("""{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true}"""));
        PreTokenize(first, new PreToken("Hey my friend ", true)).Should().Equal("▁Hey", "▁my", "▁friend", "▁");
        PreTokenize(first, new PreToken("how▁are you", false)).Should().Equal("how", "▁are", "▁you");

        var legacy = MetaspacePreTokenizer.FromConfig(Config("""{"type": "Metaspace", "replacement": "▁", "add_prefix_space": false}"""));
        PreTokenize(legacy, new PreToken("Hey friend", true)).Should().Equal("Hey", "▁friend");
    }

    [Fact]
    public void MetaspaceAndStripDecoders_FollowHf()
    {
        Decoder.Load(Config("""{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true}"""))
            .Decode(["▁Hey", "▁friend!"]).Should().Be("Hey friend!");
        Decoder.Load(Config("""{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "never"}"""))
            .Decode(["▁Hey", "▁friend!"]).Should().Be(" Hey friend!");
        Decoder.Load(Config("""{"type": "Strip", "content": " ", "start": 1, "stop": 1}"""))
            .DecodeChain(["  a  ", " b", "c "]).Should().Equal(" a ", "b", "c");
    }

    [Fact]
    public void ByteLevelDecoder_IsLossyLikeFromUtf8Lossy()
    {
        var gpt2 = TokenizerFixtures.Get(TokenizerFixtures.ReferenceTokenizerPath("gpt2"));
        int[] Ids(params byte[] bytes) => bytes.Select(b => gpt2.TokenToId(ByteToUnicode(b))!.Value).ToArray();

        gpt2.Decode(Ids(0xF0, 0x9F, 0x98, 0x80)).Should().Be("😀");
        gpt2.Decode(Ids(0xF0, 0x9F, 0x98, (byte)'A')).Should().Be("\uFFFDA"); // one U+FFFD per maximal invalid prefix
        gpt2.Decode(Ids(0xC0, 0x80)).Should().Be("\uFFFD\uFFFD");
        gpt2.Decode(Ids(0xED, 0xA0, 0x80)).Should().Be("\uFFFD\uFFFD\uFFFD"); // UTF-8-encoded surrogate
        gpt2.Decode(Ids(0xE2, 0x82)).Should().Be("\uFFFD");
        gpt2.Decode([50256, 1, 999_999]).Should().Be("<|endoftext|>\""); // unknown ids are skipped
    }

    [Fact]
    public void ByteFallbackDecoder_ReplacesEachByteOfAnInvalidRun()
    {
        var llama = TokenizerFixtures.Get(TokenizerFixtures.ReferenceTokenizerPath("llama2"));
        int ByteId(byte b) => llama.TokenToId($"<0x{b:X2}>")!.Value;

        llama.Decode([ByteId(0xE2), ByteId(0x82), ByteId(0xAC)]).Should().Be("€");
        llama.Decode([ByteId(0xF0), ByteId(0x9F), llama.TokenToId("▁a")!.Value, ByteId(0x41)]).Should().Be("\uFFFD\uFFFD aA");
    }

    // HF's added_vocabulary.rs tests (lstrip_tokens, rstrip_tokens, single_word_tokens).
    [Theory]
    [InlineData("lstrip", "Hi <mask> there\t<mask>\t<mask>\u2000",
        new[] { "H", "i", " <mask>", " ", "t", "h", "e", "r", "e", "\t<mask>", "\t<mask>", "\u2000" })]
    [InlineData("rstrip", "Hi <mask> there\t<mask>\t<mask>\u2000",
        new[] { "H", "i", " ", "<mask> ", "t", "h", "e", "r", "e", "\t", "<mask>\t", "<mask>\u2000" })]
    [InlineData("single_word", "Hi <mask> there<mask> <mask>i",
        new[] { "H", "i", " ", "<mask>", " ", "t", "h", "e", "r", "e", "<", "m", "a", "s", "k", ">", " ", "<", "m", "a", "s", "k", ">", "i" })]
    public void AddedToken_HonoursStripAndSingleWordFlags(string flag, string text, string[] expectedTokens)
    {
        var vocab = new JsonObject();
        foreach (var c in "Hi there\t\u2000<mask>".Distinct())
            vocab[c.ToString()] = vocab.Count;
        var mask = new JsonObject { ["id"] = vocab.Count, ["content"] = "<mask>", ["special"] = true, ["normalized"] = false };
        mask[flag] = true;
        var tokenizer = Write(new JsonObject
        {
            ["added_tokens"] = new JsonArray(mask),
            ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = vocab, ["merges"] = new JsonArray() },
        });

        tokenizer.EncodeToTokens(text).Should().Equal(expectedTokens);
        tokenizer.Decode(tokenizer.Encode(text), skipSpecialTokens: true).Should().NotContain("<mask>");
    }

    [Fact]
    public void Bpe_HandlesSubwordPrefixAndFusedUnknowns()
    {
        var tokenizer = Write(new JsonObject
        {
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["unk_token"] = "[UNK]",
                ["fuse_unk"] = true,
                ["continuing_subword_prefix"] = "##",
                ["vocab"] = new JsonObject { ["[UNK]"] = 0, ["a"] = 1, ["##b"] = 2, ["##c"] = 3, ["ab"] = 4, ["abc"] = 5 },
                ["merges"] = new JsonArray("a ##b", "ab ##c"),
            },
        });
        tokenizer.EncodeToTokens("abc").Should().Equal("abc");
        tokenizer.EncodeToTokens("abxyc").Should().Equal("ab", "[UNK]", "##c"); // x and y fuse into one unk
        tokenizer.Decode(tokenizer.Encode("ab")).Should().Be("ab"); // no decoder: tokens joined by spaces
        tokenizer.Decode(tokenizer.Encode("abxc")).Should().Be("ab [UNK] ##c");
    }

    private static List<string> Matches(string pattern, string text)
    {
        var ranges = new List<TextRange>();
        CodePointRegex.Get(pattern).FindMatches(text, ranges);
        return ranges.Select(r => text[r.Start..r.End]).ToList();
    }

    private static List<string> PreTokenize(PreTokenizer preTokenizer, PreToken piece)
    {
        var output = new List<PreToken>();
        preTokenizer.PreTokenize(piece, output);
        return output.Select(p => p.Text).ToList();
    }

    private static ConfigNode Config(string json) => new("test.json", "component", System.Text.Json.JsonDocument.Parse(json).RootElement);

    private Tokenizer Write(JsonObject json)
    {
        var path = Path.Combine(_directory, $"tokenizer-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json.ToJsonString());
        return Tokenizer.Load(path);
    }

    /// <summary>GPT-2's bytes_to_unicode, written out independently of the implementation.</summary>
    private static string ByteToUnicode(byte b)
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range(0xA1, 0xAC - 0xA1 + 1)).Concat(Enumerable.Range(0xAE, 0xFF - 0xAE + 1)).ToList();
        if (printable.Contains(b))
            return ((char)b).ToString();
        var index = Enumerable.Range(0, 256).Where(x => !printable.Contains(x)).ToList().IndexOf(b);
        return ((char)(256 + index)).ToString();
    }
}
