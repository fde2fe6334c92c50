using FluentAssertions.Execution;

namespace SaeAudit.Models.Tests.Tokenizers;

/// <summary>shared/fixtures/gpt2-tiny/tokenizer/tokenizer_cases.jsonl against both spellings of the same tokenizer:
/// ByteLevel(use_regex) with "a b" merges, and Sequence[Split(regex), ByteLevel] with ["a", "b"] merges.</summary>
public class Gpt2TinyCaseTests
{
    private static readonly IReadOnlyList<System.Text.Json.JsonElement> Cases =
        TokenizerFixtures.ReadJsonLines(TokenizerFixtures.TinyPath("tokenizer_cases.jsonl"));

    public static TheoryData<string, int> CasesPerFile()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in new[] { "tokenizer.json", "tokenizer.split-regex.json" })
        {
            for (var i = 0; i < Cases.Count; i++)
                data.Add(file, i);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CasesPerFile))]
    public void Case_MatchesReference(string file, int caseIndex)
    {
        var expected = Cases[caseIndex];
        var tokenizer = TokenizerFixtures.Get(TokenizerFixtures.TinyPath(file));
        var text = expected.GetProperty("text").GetString()!;
        var ids = expected.GetProperty("ids").Ints();

        using var _ = new AssertionScope();
        tokenizer.Encode(text).Should().Equal(ids, "ids");
        tokenizer.EncodeToTokens(text).Should().Equal(expected.GetProperty("tokens").Strings(), "tokens");
        tokenizer.Decode(ids).Should().Be(expected.GetProperty("decoded").GetString(), "decoded");
    }

    [Fact]
    public void CasesFile_HasAllCases() => Cases.Should().HaveCount(61);

    [Fact]
    public void Encode_IsThreadSafe()
    {
        // A fresh instance, so that the threads race to fill the same empty word cache.
        var tokenizer = SaeAudit.Models.Tokenizers.Tokenizer.Load(TokenizerFixtures.TinyPath("tokenizer.json"));
        var results = new int[Cases.Count * 8][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => results[i] = tokenizer.Encode(Cases[i % Cases.Count].GetProperty("text").GetString()!));
        for (var i = 0; i < results.Length; i++)
            results[i].Should().Equal(Cases[i % Cases.Count].GetProperty("ids").Ints());
    }

    [Theory]
    [InlineData("tokenizer.json")]
    [InlineData("tokenizer.split-regex.json")]
    public void Tokenizer_ExposesVocabularyAndSpecialToken(string file)
    {
        var tokenizer = TokenizerFixtures.Get(TokenizerFixtures.TinyPath(file));
        tokenizer.VocabSize.Should().Be(4096);
        tokenizer.SpecialTokenIds.Should().BeEquivalentTo([4095]);
        tokenizer.TokenToId("<|endoftext|>").Should().Be(4095);
        tokenizer.IdToToken(995).Should().Be("Ġworld");
        tokenizer.IdToToken(4096).Should().BeNull();
    }
}
