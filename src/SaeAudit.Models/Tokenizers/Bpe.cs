using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace SaeAudit.Models.Tokenizers;

/// <summary>tokenizer.json <c>model</c> of type BPE, with the merge loop of HF's <c>Word::merge_all</c>:
/// repeatedly apply the lowest-ranked merge (leftmost on ties) among adjacent symbol pairs.</summary>
internal sealed class Bpe
{
    /// <summary>Bounded so that a huge input cannot grow memory without limit; results never depend on it.</summary>
    private const int CacheCapacity = 200_000;
    private const int MaxCachedWordLength = 256;

    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabBySpan;
    private readonly string?[] _idToToken;
    private readonly Dictionary<long, Merge> _merges;
    private readonly Unk? _unk;
    private readonly string? _continuingSubwordPrefix;
    private readonly string? _endOfWordSuffix;
    private readonly bool _fuseUnk;
    private readonly bool _ignoreMerges;
    /// <summary>Ids of the <c>&lt;0xXX&gt;</c> tokens when byte_fallback is on (-1 where absent), else null.</summary>
    private readonly int[]? _byteFallbackIds;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private int _cacheCount; // ConcurrentDictionary.Count takes every lock, too slow to ask per word

    private readonly record struct Merge(int Rank, int NewId);

    /// <summary>The unk token's id, or -1 when it is missing from the vocab: like HF, that is only an error once
    /// an input actually needs it (reported against <paramref name="File"/> and <paramref name="Field"/>).</summary>
    private sealed record Unk(string Token, int Id, string File, string Field);

    private Bpe(Dictionary<string, int> vocab, Dictionary<long, Merge> merges, Unk? unk,
        string? continuingSubwordPrefix, string? endOfWordSuffix, bool fuseUnk, bool byteFallback, bool ignoreMerges)
    {
        _vocab = vocab;
        _vocabBySpan = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _merges = merges;
        _unk = unk;
        _continuingSubwordPrefix = continuingSubwordPrefix;
        _endOfWordSuffix = endOfWordSuffix;
        _fuseUnk = fuseUnk;
        _ignoreMerges = ignoreMerges;
        _idToToken = new string?[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        foreach (var (token, id) in vocab)
            _idToToken[id] = token;
        if (byteFallback)
        {
            _byteFallbackIds = new int[256];
            for (var b = 0; b < 256; b++)
                _byteFallbackIds[b] = vocab.GetValueOrDefault($"<0x{b:X2}>", -1);
        }
    }

    /// <summary>Number of vocabulary entries (HF's <c>get_vocab_size</c>).</summary>
    public int VocabCount => _vocab.Count;

    public int MaxId => _idToToken.Length - 1;

    public static Bpe Load(ConfigNode model)
    {
        var dropout = model.Optional("dropout");
        if (dropout is { } d && d.AsDouble() != 0)
            throw d.Error("BPE dropout is random at encode time; only null or 0 is supported");

        var vocabNode = model.Required("vocab");
        if (vocabNode.Element.ValueKind != JsonValueKind.Object)
            throw vocabNode.Error("expected an object mapping token -> id");
        var vocab = new Dictionary<string, int>(vocabNode.Element.GetPropertyCount(), StringComparer.Ordinal);
        foreach (var entry in vocabNode.Element.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
                throw InvalidInputException.For(vocabNode.File, vocabNode.Path,
                    $"token \"{entry.Name}\": expected a non-negative integer id, found {entry.Value.GetRawText()}");
            vocab[entry.Name] = id;
        }

        var prefix = model.OptionalString("continuing_subword_prefix");
        var merges = LoadMerges(model.Required("merges"), vocab, prefix?.Length ?? 0);
        var unkNode = model.Optional("unk_token");
        Unk? unk = unkNode is { } u ? new Unk(u.AsString(), vocab.GetValueOrDefault(u.AsString(), -1), u.File, u.Path) : null;
        return new Bpe(vocab, merges, unk, prefix,
            model.OptionalString("end_of_word_suffix"), model.OptionalBool("fuse_unk", false),
            model.OptionalBool("byte_fallback", false), model.OptionalBool("ignore_merges", false));
    }

    /// <summary>Merges come as <c>"a b"</c> strings (older files) or <c>["a", "b"]</c> pairs; the rank is the
    /// position in the list. Like HF, a pair listed twice keeps its last rank.</summary>
    /// <remarks>Read with a <see cref="Utf8JsonReader"/> over the raw array into one reused buffer: gemma-3 has 514k
    /// merges, and a string per side would dominate the load time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once over a huge loop: skip unoptimized tier-0 code
    private static Dictionary<long, Merge> LoadMerges(ConfigNode node, Dictionary<string, int> vocab, int prefixLength)
    {
        if (node.Element.ValueKind != JsonValueKind.Array)
            throw node.Error("expected an array of merges");
        var lookup = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        var merges = new Dictionary<long, Merge>(node.Element.GetArrayLength(), PairKeyComparer.Instance);
        var buffer = new char[256];
        var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(node.Element));
        reader.Read(); // the array's '['
        var rank = 0;
        for (var index = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; index++)
        {
            // Lay out left and right in the buffer, then the merged token after them.
            int leftLength, rightStart, rightLength, end; // left starts at 0
            if (reader.TokenType == JsonTokenType.String)
            {
                end = ReadString(ref reader, ref buffer, 0);
                var line = buffer.AsSpan(0, end);
                if (line.StartsWith("#version", StringComparison.Ordinal))
                    continue; // HF skips merges.txt's header line without counting it
                var space = line.IndexOf(' ');
                if (space < 0 || line[(space + 1)..].Contains(' '))
                    throw MergeError(node, index, $"expected \"a b\", found \"{line}\"");
                (leftLength, rightStart, rightLength) = (space, space + 1, end - space - 1);
            }
            else if (reader.TokenType == JsonTokenType.StartArray && reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                leftLength = ReadString(ref reader, ref buffer, 0);
                if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                    throw MergeError(node, index, "expected a pair of strings [\"a\", \"b\"]");
                rightStart = leftLength;
                rightLength = ReadString(ref reader, ref buffer, rightStart);
                end = rightStart + rightLength;
                if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
                    throw MergeError(node, index, "expected a pair of strings [\"a\", \"b\"]");
            }
            else
            {
                throw MergeError(node, index, "expected \"a b\" or [\"a\", \"b\"]");
            }

            if (end + leftLength + rightLength > buffer.Length)
                Array.Resize(ref buffer, 2 * (end + leftLength + rightLength));
            var left = buffer.AsSpan(0, leftLength);
            var right = buffer.AsSpan(rightStart, rightLength);
            if (!lookup.TryGetValue(left, out var leftId))
                throw MergeError(node, index, $"token \"{left}\" is not in model.vocab");
            if (!lookup.TryGetValue(right, out var rightId))
                throw MergeError(node, index, $"token \"{right}\" is not in model.vocab");
            // The merged token drops the right part's continuing_subword_prefix ("##").
            var rightPart = right[Math.Min(prefixLength, right.Length)..];
            var merged = buffer.AsSpan(end, leftLength + rightPart.Length);
            left.CopyTo(merged);
            rightPart.CopyTo(merged[leftLength..]);
            if (!lookup.TryGetValue(merged, out var newId))
                throw MergeError(node, index, $"merged token \"{merged}\" is not in model.vocab");
            merges[PairKey(leftId, rightId)] = new Merge(rank++, newId);
        }
        return merges;
    }

    /// <summary>Unescapes the current string token into <paramref name="buffer"/> at <paramref name="offset"/>,
    /// growing it as needed; returns the length in chars.</summary>
    private static int ReadString(ref Utf8JsonReader reader, ref char[] buffer, int offset)
    {
        var bound = offset + reader.ValueSpan.Length; // UTF-8 (or escaped) length bounds the UTF-16 length
        if (bound > buffer.Length)
            Array.Resize(ref buffer, 2 * bound);
        return reader.CopyString(buffer.AsSpan(offset));
    }

    private static InvalidInputException MergeError(ConfigNode node, int index, string problem) =>
        InvalidInputException.For(node.File, $"{node.Path}[{index}]", problem);

    public int? TokenToId(string token) => _vocab.TryGetValue(token, out var id) ? id : null;

    public string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    /// <summary>Appends the tokens of one pre-tokenized word.</summary>
    public void Tokenize(string word, EncodingBuilder output)
    {
        if (word.Length == 0)
            return;
        if (_ignoreMerges && _vocab.TryGetValue(word, out var whole))
        {
            output.Add(whole, word);
            return;
        }
        if (!_cache.TryGetValue(word, out var ids))
        {
            ids = MergeWord(word);
            if (word.Length < MaxCachedWordLength && _cacheCount < CacheCapacity && _cache.TryAdd(word, ids))
                Interlocked.Increment(ref _cacheCount);
        }
        foreach (var id in ids)
            output.Add(id, output.WantsTokens ? _idToToken[id]! : null);
    }

    /// <summary>HF's <c>BPE::merge_word</c>: one symbol per character (or its <c>&lt;0xXX&gt;</c> bytes, or unk),
    /// then the merges.</summary>
    private int[] MergeWord(string word)
    {
        var symbols = new List<int>(word.Length);
        int? pendingUnk = null; // unk tokens are appended lazily so that consecutive ones can be fused
        for (var i = 0; i < word.Length;)
        {
            var charLength = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
            var isFirst = i == 0;
            var isLast = i + charLength == word.Length;
            var character = word.AsSpan(i, charLength);
            i += charLength;

            var needsAffix = (!isFirst && !string.IsNullOrEmpty(_continuingSubwordPrefix))
                             || (isLast && !string.IsNullOrEmpty(_endOfWordSuffix));
            var symbol = needsAffix
                ? (isFirst ? "" : _continuingSubwordPrefix) + character.ToString() + (isLast ? _endOfWordSuffix : "")
                : null;
            var found = symbol is null ? _vocabBySpan.TryGetValue(character, out var id) : _vocab.TryGetValue(symbol, out id);
            if (found)
            {
                if (pendingUnk is { } unk)
                    symbols.Add(unk);
                pendingUnk = null;
                symbols.Add(id);
                continue;
            }
            if (_byteFallbackIds is not null && TryAddByteFallback(symbol ?? character.ToString(), symbols))
                continue;
            if (_unk is null)
                continue; // HF drops a character it cannot represent when there is no unk token
            if (_unk.Id < 0)
                throw InvalidInputException.For(_unk.File, _unk.Field,
                    $"\"{_unk.Token}\" is not in model.vocab, and this input needs the unknown token");
            if (pendingUnk is { } previous && !_fuseUnk)
                symbols.Add(previous);
            pendingUnk = _unk.Id;
        }
        if (pendingUnk is { } last)
            symbols.Add(last);
        return MergeAll(symbols);
    }

    private bool TryAddByteFallback(string symbol, List<int> symbols)
    {
        var bytes = Encoding.UTF8.GetBytes(symbol);
        foreach (var b in bytes)
        {
            if (_byteFallbackIds![b] < 0)
                return false;
        }
        foreach (var b in bytes)
            symbols.Add(_byteFallbackIds![b]);
        return true;
    }

    /// <summary>HF's <c>Word::merge_all</c>: pending merges in a min-heap on (rank, position); an entry whose pair
    /// has changed since it was queued is skipped when popped.</summary>
    private int[] MergeAll(List<int> initial)
    {
        var count = initial.Count;
        var ids = initial.ToArray();
        if (count < 2)
            return ids;
        var previous = new int[count];
        var next = new int[count];
        var removed = new bool[count];
        for (var i = 0; i < count; i++)
        {
            previous[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
        }

        var queue = new MergeQueue(count);
        for (var i = 0; i + 1 < count; i++)
        {
            if (_merges.TryGetValue(PairKey(ids[i], ids[i + 1]), out var merge))
                queue.Push(merge.Rank, i, merge.NewId);
        }
        var remaining = count;
        while (queue.TryPop(out var position, out var newId))
        {
            var right = next[position];
            if (removed[position] || right < 0)
                continue;
            if (!_merges.TryGetValue(PairKey(ids[position], ids[right]), out var current) || current.NewId != newId)
                continue;

            ids[position] = newId;
            removed[right] = true;
            remaining--;
            next[position] = next[right];
            if (next[right] >= 0)
                previous[next[right]] = position;

            if (previous[position] >= 0 && _merges.TryGetValue(PairKey(ids[previous[position]], ids[position]), out var left))
                queue.Push(left.Rank, previous[position], left.NewId);
            if (next[position] >= 0 && _merges.TryGetValue(PairKey(ids[position], ids[next[position]]), out var following))
                queue.Push(following.Rank, position, following.NewId);
        }

        var result = new int[remaining];
        for (int i = 0, j = 0; i < count; i++)
        {
            if (!removed[i])
                result[j++] = ids[i];
        }
        return result;
    }

    /// <summary>Binary min-heap on (rank, position) packed into one long, so ordering is a single compare.</summary>
    private struct MergeQueue(int capacity)
    {
        private (long Key, int NewId)[] _items = new (long, int)[capacity];
        private int _count;

        public void Push(int rank, int position, int newId)
        {
            if (_count == _items.Length)
                Array.Resize(ref _items, _count * 2);
            var item = (Key: ((long)rank << 32) | (uint)position, NewId: newId);
            var i = _count++;
            while (i > 0)
            {
                var parent = (i - 1) / 2;
                if (_items[parent].Key <= item.Key)
                    break;
                _items[i] = _items[parent];
                i = parent;
            }
            _items[i] = item;
        }

        public bool TryPop(out int position, out int newId)
        {
            if (_count == 0)
            {
                position = newId = -1;
                return false;
            }
            var top = _items[0];
            position = (int)(top.Key & 0xFFFFFFFF);
            newId = top.NewId;
            var last = _items[--_count];
            var i = 0;
            while (true)
            {
                var child = 2 * i + 1;
                if (child >= _count)
                    break;
                if (child + 1 < _count && _items[child + 1].Key < _items[child].Key)
                    child++;
                if (last.Key <= _items[child].Key)
                    break;
                _items[i] = _items[child];
                i = child;
            }
            _items[i] = last;
            return true;
        }
    }

    private static long PairKey(int left, int right) => ((long)left << 32) | (uint)right;

    /// <summary>long's own hash is <c>high ^ low</c>, which maps most id pairs of a vocab onto a few thousand
    /// buckets; a multiplicative (Fibonacci) hash spreads them.</summary>
    private sealed class PairKeyComparer : IEqualityComparer<long>
    {
        public static readonly PairKeyComparer Instance = new();

        public bool Equals(long x, long y) => x == y;

        public int GetHashCode(long key) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> 32);
    }
}
