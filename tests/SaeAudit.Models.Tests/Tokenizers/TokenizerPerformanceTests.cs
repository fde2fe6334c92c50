using System.Diagnostics;
using System.Text;
using System.Text.Json;
using SaeAudit.Models.Tokenizers;
using SaeAudit.Testing;
using Xunit.Abstractions;

namespace SaeAudit.Models.Tests.Tokenizers;

/// <summary>Guards against gross slowdowns (quadratic loops, missing caches). The limits are ~10x above what an
/// idle CPU needs, so that a busy CI machine does not fail them; the measured figures go to the test output.</summary>
[Trait("Category", "Performance")]
public class TokenizerPerformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void Gemma3_tokenizer_json_loads_quickly()
    {
        var stopwatch = Stopwatch.StartNew();
        var tokenizer = Tokenizer.Load(TokenizerFixtures.ReferenceTokenizerPath("gemma3"));
        stopwatch.Stop();
        output.WriteLine($"gemma3 tokenizer.json (14 MB, 262k vocab, 515k merges): loaded in {stopwatch.ElapsedMilliseconds} ms");
        tokenizer.VocabSize.Should().Be(262145);
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void Gpt2_encodes_a_megabyte_quickly()
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
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    /// <summary>The gpt2-tiny eval documents (KJV prose and Python code), repeated up to 1 MB of UTF-8.</summary>
    private static string OneMegabyteOfText()
    {
        var documents = new[] { "eval_prose.jsonl", "eval_code.jsonl" }
            .SelectMany(file => File.ReadLines(Fixtures.Path("gpt2-tiny", "data", file)))
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("text").GetString()!)
            .ToList();
        var text = new StringBuilder();
        for (var i = 0; Encoding.UTF8.GetByteCount(text.ToString()) < 1_000_000; i += documents.Count)
            documents.ForEach(d => text.Append(d).Append('\n'));
        return text.ToString();
    }
}
