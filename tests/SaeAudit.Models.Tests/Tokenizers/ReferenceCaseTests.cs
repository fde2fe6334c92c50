using FluentAssertions.Execution;

namespace SaeAudit.Models.Tests.Tokenizers;

/// <summary>Every case of shared/fixtures/tokenizers/cases.jsonl, whose expected values come from HF's Rust
/// tokenizers (tokenizers@0.23.2 through its Node binding).</summary>
public class ReferenceCaseTests
{
    public static TheoryData<string> Gpt2Cases => CaseIds("gpt2");

    public static TheoryData<string> Llama2Cases => CaseIds("llama2");

    public static TheoryData<string> Gemma3Cases => CaseIds("gemma3");

    [Theory]
    [MemberData(nameof(Gpt2Cases))]
    public void Gpt2_MatchesReference(string caseId) => Check("gpt2", caseId);

    [Theory]
    [MemberData(nameof(Llama2Cases))]
    public void Llama2_MatchesReference(string caseId) => Check("llama2", caseId);

    [Theory]
    [MemberData(nameof(Gemma3Cases))]
    public void Gemma3_MatchesReference(string caseId) => Check("gemma3", caseId);

    [Fact]
    public void CasesFile_HasAHundredCasesPerTokenizer()
    {
        Gpt2Cases.Should().HaveCount(100);
        Llama2Cases.Should().HaveCount(100);
        Gemma3Cases.Should().HaveCount(100);
    }

    private static TheoryData<string> CaseIds(string tokenizer) =>
        new(TokenizerFixtures.ReferenceCasesOf(tokenizer).Select(c => c.GetProperty("case").GetString()!));

    private static void Check(string tokenizerName, string caseId)
    {
        var expected = TokenizerFixtures.ReferenceCase(tokenizerName, caseId);
        var tokenizer = TokenizerFixtures.Get(TokenizerFixtures.ReferenceTokenizerPath(tokenizerName));
        var text = expected.GetProperty("text").GetString()!;
        var ids = expected.GetProperty("ids").Ints();
        var idsWithSpecial = expected.GetProperty("ids_with_special").Ints();

        using var _ = new AssertionScope();
        tokenizer.Encode(text).Should().Equal(ids, "ids");
        tokenizer.Encode(text, addSpecialTokens: true).Should().Equal(idsWithSpecial, "ids_with_special");
        tokenizer.EncodeToTokens(text).Should().Equal(expected.GetProperty("tokens").Strings(), "tokens");
        tokenizer.EncodeToTokens(text, addSpecialTokens: true).Should()
            .Equal(expected.GetProperty("tokens_with_special").Strings(), "tokens_with_special");
        tokenizer.Decode(ids).Should().Be(expected.GetProperty("decoded").GetString(), "decoded");
        tokenizer.Decode(idsWithSpecial).Should().Be(expected.GetProperty("decoded_with_special").GetString(), "decoded_with_special");
        tokenizer.Decode(idsWithSpecial, skipSpecialTokens: true).Should()
            .Be(expected.GetProperty("decoded_with_special_skip_special").GetString(), "decoded_with_special_skip_special");
    }
}
