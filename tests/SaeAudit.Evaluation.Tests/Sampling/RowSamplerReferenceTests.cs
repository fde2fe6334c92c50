using System.Text.Json;
using SaeAudit.Evaluation.Sampling;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Models.Tokenizers;
using SaeAudit.Testing;

namespace SaeAudit.Evaluation.Tests.Sampling;

/// <summary>The rows of every reference case (reference/metrics-*.json): same dataset statistics, same selected row
/// indices, same row contents (the reference hashes them as int32 little-endian: selected_rows_sha256).</summary>
public class RowSamplerReferenceTests
{
    private const int EndOfText = 4095;

    private static readonly SpecialTokens Gpt2Special = new(bos: EndOfText, eos: EndOfText);

    private static readonly Lazy<Tokenizer> Tokenizer =
        new(() => Models.Tokenizers.Tokenizer.Load(Fixtures.Path("gpt2-tiny", "tokenizer", "tokenizer.json")));

    public static TheoryData<string> Cases()
    {
        var cases = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Fixtures.Path("gpt2-tiny", "reference"), "metrics-*.json").Order(StringComparer.Ordinal))
            cases.Add(Path.GetFileName(file));
        return cases;
    }

    /// <summary>The reference writes paths as seen from a checkout beside shared/ ("../shared/fixtures/...").</summary>
    private static string FixturePath(string referencePath) =>
        Fixtures.Path(referencePath[(referencePath.IndexOf("fixtures/", StringComparison.Ordinal) + "fixtures/".Length)..].Split('/'));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Selects_the_reference_rows(string referenceFile)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Fixtures.Path("gpt2-tiny", "reference", referenceFile)));
        var reference = document.RootElement.GetProperty("reference");
        var parameters = reference.GetProperty("parameters");
        var extras = reference.GetProperty("extras");
        reference.GetProperty("bos_id").GetInt32().Should().Be(EndOfText);
        reference.GetProperty("eos_id").GetInt32().Should().Be(EndOfText);
        var options = new SamplingOptions
        {
            DatasetPath = FixturePath(parameters.GetProperty("dataset").GetString()!),
            Field = parameters.GetProperty("field").GetString()!,
            ContextSize = parameters.GetProperty("context").GetInt32(),
            NTokens = parameters.GetProperty("n_tokens").GetInt64(),
            Shuffle = parameters.GetProperty("shuffle").GetBoolean(),
            Seed = parameters.GetProperty("seed").GetUInt64(),
            PrependBos = parameters.GetProperty("prepend_bos").GetBoolean(),
            VocabSize = 4096,
        };

        var sample = RowSampler.Sample(options, Tokenizer.Value, Gpt2Special, threads: 4);

        sample.RowCount.Should().Be((int)Math.Ceiling(options.NTokens / 127.0));
        sample.Context.Should().Be(extras.GetProperty("row_width").GetInt32());
        sample.Dataset.RowsAvailable.Should().Be(extras.GetProperty("rows_available").GetInt32());
        var first = extras.GetProperty("selected_rows_first").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        sample.SourceRows.Take(first.Length).Should().Equal(first);
        sample.Sha256().Should().Be(extras.GetProperty("selected_rows_sha256").GetString());

        var dataset = extras.GetProperty("dataset");
        sample.Dataset.Kind.Should().Be(dataset.GetProperty("kind").GetString());
        if (sample.Dataset.Kind == "text")
        {
            sample.Dataset.Documents.Should().Be(dataset.GetProperty("documents").GetInt32());
            sample.Dataset.StreamTokens.Should().Be(dataset.GetProperty("stream_tokens").GetInt64());
            sample.Dataset.DroppedTailTokens.Should().Be(dataset.GetProperty("dropped_tail_tokens").GetInt32());
        }
        else
        {
            var shape = dataset.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            new[] { sample.Dataset.RowsAvailable, sample.Dataset.RowWidth }.Should().Equal(shape);
        }
        for (var r = 0; r < sample.RowCount; r++) sample.Row(r)[0].Should().Be(EndOfText, "every row starts with BOS");
    }

    /// <summary>The generator packed the .npy files with an EOS after EVERY document, the SPEC with one EOS BETWEEN
    /// documents; the two streams differ only in a final EOS, which lies in the dropped tail, so every row is equal.</summary>
    [Theory]
    [InlineData("eval_prose")]
    [InlineData("eval_code")]
    public void Packing_the_jsonl_gives_the_rows_of_the_pre_tokenized_file(string name)
    {
        var expected = NpyFile.Read(Fixtures.Path("gpt2-tiny", "data", name + "_tokens.npy"));
        int rows = expected.Shape[0], context = expected.Shape[1];

        var sample = RowSampler.Sample(new SamplingOptions
        {
            DatasetPath = Fixtures.Path("gpt2-tiny", "data", name + ".jsonl"),
            ContextSize = context,
            NTokens = (long)rows * (context - 1),
            Shuffle = false,
        }, Tokenizer.Value, Gpt2Special);

        sample.Dataset.RowsAvailable.Should().Be(rows);
        sample.SourceRows.Should().Equal(Enumerable.Range(0, rows));
        sample.Tokens.ToArray().Should().Equal(expected.ToInt32());
    }

    [Fact]
    public void Tokenizer_threads_do_not_change_the_rows()
    {
        var options = new SamplingOptions
        {
            DatasetPath = Fixtures.Path("gpt2-tiny", "data", "eval_code.jsonl"),
            ContextSize = 128,
            NTokens = 4096,
            Seed = 11,
        };

        var one = RowSampler.Sample(options, Tokenizer.Value, Gpt2Special, threads: 1);
        var many = RowSampler.Sample(options, Tokenizer.Value, Gpt2Special, threads: 8);

        many.Sha256().Should().Be(one.Sha256());
        many.SourceRows.Should().Equal(one.SourceRows);
    }
}
