using System.Collections.Concurrent;
using System.Text.Json;
using SaeAudit.Models.Tokenizers;
using SaeAudit.Testing;

namespace SaeAudit.Models.Tests.Tokenizers;

/// <summary>Shared access to the tokenizer fixtures: each tokenizer.json is loaded once per test run.</summary>
internal static class TokenizerFixtures
{
    private static readonly ConcurrentDictionary<string, Lazy<Tokenizer>> Tokenizers = new();
    private static readonly Lazy<IReadOnlyList<JsonElement>> ReferenceCases = new(() => ReadJsonLines(Fixtures.Path("tokenizers", "cases.jsonl")));

    public static string ReferenceTokenizerPath(string name) => Fixtures.Path("tokenizers", name, "tokenizer.json");

    public static string TinyPath(string fileName) => Fixtures.Path("gpt2-tiny", "tokenizer", fileName);

    public static Tokenizer Get(string path) =>
        Tokenizers.GetOrAdd(path, p => new Lazy<Tokenizer>(() => Tokenizer.Load(p))).Value;

    /// <summary>The cases.jsonl lines of one tokenizer ("gpt2", "llama2", "gemma3").</summary>
    public static IEnumerable<JsonElement> ReferenceCasesOf(string tokenizer) =>
        ReferenceCases.Value.Where(c => c.GetProperty("tokenizer").GetString() == tokenizer);

    public static JsonElement ReferenceCase(string tokenizer, string caseId) =>
        ReferenceCasesOf(tokenizer).Single(c => c.GetProperty("case").GetString() == caseId);

    public static IReadOnlyList<JsonElement> ReadJsonLines(string path) =>
        File.ReadLines(path).Where(line => line.Length > 0).Select(line => JsonDocument.Parse(line).RootElement).ToList();

    public static int[] Ints(this JsonElement element) => element.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static string[] Strings(this JsonElement element) => element.EnumerateArray().Select(e => e.GetString()!).ToArray();
}
