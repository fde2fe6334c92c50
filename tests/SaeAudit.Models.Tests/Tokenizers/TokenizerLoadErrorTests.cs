using System.Text.Json.Nodes;
using SaeAudit.Models.Tokenizers;

namespace SaeAudit.Models.Tests.Tokenizers;

/// <summary>Bad tokenizer.json files fail with an <see cref="InvalidInputException"/> naming the file and the field.</summary>
public sealed class TokenizerLoadErrorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("saeaudit-tokenizer-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void MissingFile_IsReported()
    {
        var path = Path.Combine(_directory, "absent.json");
        Load(path).WithMessage($"{path}: cannot read the file*");
    }

    [Fact]
    public void MalformedJson_IsReported()
    {
        var path = Write("{\"model\": {\"type\": \"BPE\", ");
        Load(path).WithMessage($"{path}: malformed JSON*");
    }

    [Fact]
    public void TopLevelArray_IsRejected() => Load(Write("[]")).WithMessage("*: expected a JSON object at the top level");

    [Fact]
    public void MissingModel_NamesTheField() => Load(Write("{}")).WithMessage("*: model: required field is missing");

    [Fact]
    public void UnsupportedModelType_NamesFileFieldAndType()
    {
        var json = MinimalTokenizer();
        json["model"] = new JsonObject { ["type"] = "WordPiece", ["vocab"] = new JsonObject() };
        var path = Write(json);
        Load(path).WithMessage($"{path}: model.type: unsupported model type 'WordPiece' (supported: BPE)");
    }

    [Fact]
    public void UnsupportedPreTokenizerInSequence_NamesItsPath()
    {
        var json = MinimalTokenizer();
        json["pre_tokenizer"] = JsonNode.Parse("""{"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": true}]}""");
        var path = Write(json);
        Load(path).WithMessage($"{path}: pre_tokenizer.pretokenizers[0].type: unsupported pre-tokenizer type 'Digits'*");
    }

    [Theory]
    [InlineData("normalizer", """{"type": "NFKC"}""", "normalizer.type: unsupported normalizer type 'NFKC'*")]
    [InlineData("decoder", """{"type": "WordPiece", "prefix": "##"}""", "decoder.type: unsupported decoder type 'WordPiece'*")]
    [InlineData("post_processor", """{"type": "BertProcessing"}""", "post_processor.type: unsupported post-processor type 'BertProcessing'*")]
    [InlineData("pre_tokenizer", """{"type": "Split", "pattern": {"Regex": "\\p{Han}+"}, "behavior": "Isolated", "invert": false}""",
        "pre_tokenizer.pattern.Regex: regex not supported*")]
    [InlineData("pre_tokenizer", """{"type": "Split", "pattern": {"String": " "}, "behavior": "Sideways", "invert": false}""",
        "pre_tokenizer.behavior: unknown split behavior 'Sideways'*")]
    [InlineData("pre_tokenizer", """{"add_prefix_space": false}""", "pre_tokenizer.type: required field is missing")]
    public void UnsupportedOrInvalidComponent_NamesFileFieldAndComponent(string field, string component, string expectedMessage)
    {
        var json = MinimalTokenizer();
        json[field] = JsonNode.Parse(component);
        var path = Write(json);
        Load(path).WithMessage($"{path}: {expectedMessage}");
    }

    [Fact]
    public void MergeOfUnknownToken_NamesTheMerge()
    {
        var json = MinimalTokenizer();
        json["model"]!["merges"] = new JsonArray("a b", "a z");
        Load(Write(json)).WithMessage("*: model.merges[1]: token \"z\" is not in model.vocab");
    }

    [Fact]
    public void VocabIdOfWrongType_NamesTheToken()
    {
        var json = MinimalTokenizer();
        json["model"]!["vocab"]!["c"] = "three";
        Load(Write(json)).WithMessage("*: model.vocab: token \"c\": expected a non-negative integer id, found \"three\"");
    }

    [Fact]
    public void BpeDropout_IsRejected()
    {
        var json = MinimalTokenizer();
        json["model"]!["dropout"] = 0.1;
        Load(Write(json)).WithMessage("*: model.dropout: BPE dropout is random*");
    }

    [Fact]
    public void MissingUnkToken_FailsOnlyWhenAnInputNeedsIt()
    {
        var json = MinimalTokenizer();
        json["model"]!["unk_token"] = "<unk>";
        var path = Write(json);
        var tokenizer = Tokenizer.Load(path);
        tokenizer.Encode("ab").Should().Equal(2);
        var encode = () => tokenizer.Encode("x");
        encode.Should().Throw<InvalidInputException>().WithMessage($"{path}: model.unk_token: \"<unk>\" is not in model.vocab*");
    }

    [Fact]
    public void MinimalTokenizer_Loads() => Tokenizer.Load(Write(MinimalTokenizer())).Encode("ab").Should().Equal(2);

    /// <summary>A BPE over "a" and "b" with the single merge "a b".</summary>
    private static JsonObject MinimalTokenizer() => new()
    {
        ["model"] = new JsonObject
        {
            ["type"] = "BPE",
            ["vocab"] = new JsonObject { ["a"] = 0, ["b"] = 1, ["ab"] = 2 },
            ["merges"] = new JsonArray("a b"),
        },
    };

    private string Write(JsonNode json) => Write(json.ToJsonString());

    private string Write(string content)
    {
        var path = Path.Combine(_directory, $"tokenizer-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, content);
        return path;
    }

    private static FluentAssertions.Specialized.ExceptionAssertions<InvalidInputException> Load(string path)
    {
        var load = () => Tokenizer.Load(path);
        return load.Should().Throw<InvalidInputException>();
    }
}
