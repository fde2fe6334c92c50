using System.Diagnostics;
using System.Text;
using System.Text.Json;
using SaeAudit.Models.Tokenizers;
using SaeAudit.Testing;
using Xunit.Abstractions;

namespace SaeAudit.Models.Tests.Tokenizers;

/// <summary>Guards against gross slowdowns (quadratic loops, degenerate hashing). The limits are far above what an
/// idle CPU needs (about 1 s to load gemma3, 0.2-0.5 s per MB for GPT-2) so that a busy CI machine does not fail
/// them; the measured figures go to the test output. Run alone so that other tests do not skew the timing.</summary>
[Trait("Category", "Performance")]
[Collection(nameof(TokenizerPerformanceTests))]
[CollectionDefinition(nameof(TokenizerPerformanceTests), DisableParallelization = true)]
public class TokenizerPerformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void Gemma3_LoadsQuickly()
    {
        var stopwatch = Stopwatch.StartNew();
        var tokenizer = Tokenizer.Load(TokenizerFixtures.ReferenceTokenizerPath("gemma3"));
        stopwatch.Stop();
        output.WriteLine($"gemma3 tokenizer.json (14 MB, 262k vocab, 515k merges): loaded in {stopwatch.ElapsedMilliseconds} ms");
        tokenizer.VocabSize.Should().Be(262145);
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Gpt2_EncodesAMegabyteQuickly()
    {
        var tokenizer = Tokenizer.Load(TokenizerFixtures.ReferenceTokenizerPath("gpt2")); // fresh: empty word cache
        var text = OneMegabyteOfText();
        var megabytes = Encoding.UTF8.GetByteCount(text) / 1e6;

        var stopwatch = Stopwatch.StartNew();
        var ids = tokenizer.Encode(text);
        stopwatch.Stop();
        output.WriteLine($"gpt2: {megabytes:F2} MB -> {ids.Length} tokens in {stopwatch.ElapsedMilliseconds} ms " +
                         $"({megabytes / stopwatch.Elapsed.TotalSeconds:F1} MB/s, cold word cache)");
        tokenizer.Decode(ids).Should().Be(text);
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
    }

    /// <summary>The gpt2-tiny eval documents (KJV prose and Python code), repeated up to 1 MB of UTF-8.</summary>
    private static string OneMegabyteOfText()
    {
        var documents = new[] { "eval_prose.jsonl", "eval_code.jsonl" }
            .SelectMany(file => File.ReadLines(Fixtures.Path("gpt2-tiny", "data", file)))
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("text").GetString()!)
            .ToList();
        var text = new StringBuilder();
        while (Encoding.UTF8.GetByteCount(text.ToString()) < 1_000_000)
            documents.ForEach(d => text.Append(d).Append('\n'));
        return text.ToString();
    }
}
