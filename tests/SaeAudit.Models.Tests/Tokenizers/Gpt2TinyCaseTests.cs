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
    public void Matches_reference(string file, int caseIndex)
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
    public void Has_all_cases() => Cases.Should().HaveCount(61);

    [Theory]
    [InlineData("tokenizer.json")]
    [InlineData("tokenizer.split-regex.json")]
    public void Vocabulary_and_special_token(string file)
    {
        var tokenizer = TokenizerFixtures.Get(TokenizerFixtures.TinyPath(file));
        tokenizer.VocabSize.Should().Be(4096);
        tokenizer.SpecialTokenIds.Should().BeEquivalentTo([4095]);
        tokenizer.TokenToId("<|endoftext|>").Should().Be(4095);
        tokenizer.IdToToken(995).Should().Be("Ġworld");
        tokenizer.IdToToken(4096).Should().BeNull();
    }
}
