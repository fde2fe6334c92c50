using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SaeAudit.Models.Tokenizers;

/// <summary>A half-open range [Start, End) of UTF-16 indices.</summary>
internal readonly record struct TextRange(int Start, int End)
{
    public int Length => End - Start;
}

/// <summary>HF's <c>{"String": ...}</c> / <c>{"Regex": ...}</c> pattern, used by the Split pre-tokenizer and the
/// Replace normalizer/decoder. HF compiles both kinds to one onig regex (a String is escaped first).</summary>
internal abstract class TextPattern
{
    /// <summary>Appends the non-overlapping matches in <paramref name="text"/>, left to right.</summary>
    public abstract void FindMatches(string text, List<TextRange> matches);

    public static TextPattern Parse(ConfigNode node)
    {
        var literal = node.Optional("String");
        var regex = node.Optional("Regex");
        if (literal is { } l && regex is null)
        {
            var text = l.AsString();
            return text.Length > 0 ? new LiteralPattern(text) : throw l.Error("an empty pattern is not supported");
        }
        if (regex is { } r && literal is null)
        {
            try
            {
                return new RegexPattern(CodePointRegex.Get(r.AsString()));
            }
            catch (ArgumentException e)
            {
                throw r.Error($"regex not supported by this tokenizer's regex engine: {e.Message}");
            }
        }
        throw node.Error("expected exactly one of \"String\" or \"Regex\"");
    }

    /// <summary>Splits <paramref name="text"/> around the matches the way HF's <c>NormalizedString::split</c> does
    /// and appends the resulting non-empty pieces.</summary>
    public void Split(string text, SplitDelimiterBehavior behavior, bool invert, List<TextRange> pieces)
    {
        // HF first turns the matches into a cover of the whole text: (range, is_match), gaps included.
        var matches = new List<TextRange>();
        FindMatches(text, matches);
        var cover = new List<(TextRange Range, bool IsMatch)>(matches.Count * 2 + 1);
        var previousEnd = 0;
        foreach (var match in matches)
        {
            if (previousEnd != match.Start)
                cover.Add((new TextRange(previousEnd, match.Start), invert));
            cover.Add((match, !invert));
            previousEnd = match.End;
        }
        if (previousEnd != text.Length)
            cover.Add((new TextRange(previousEnd, text.Length), invert));

        var merged = new List<TextRange>(cover.Count);
        switch (behavior)
        {
            case SplitDelimiterBehavior.Isolated:
                merged.AddRange(cover.Select(c => c.Range));
                break;
            case SplitDelimiterBehavior.Removed:
                merged.AddRange(cover.Where(c => !c.IsMatch).Select(c => c.Range));
                break;
            case SplitDelimiterBehavior.MergedWithPrevious:
            {
                var previousWasMatch = false;
                foreach (var (range, isMatch) in cover)
                {
                    if (isMatch && !previousWasMatch && merged.Count > 0)
                        merged[^1] = merged[^1] with { End = range.End };
                    else
                        merged.Add(range);
                    previousWasMatch = isMatch;
                }
                break;
            }
            case SplitDelimiterBehavior.MergedWithNext:
            {
                // Mirror image of MergedWithPrevious: walk backwards and extend the following piece.
                var previousWasMatch = false;
                for (var i = cover.Count - 1; i >= 0; i--)
                {
                    var (range, isMatch) = cover[i];
                    if (isMatch && !previousWasMatch && merged.Count > 0)
                        merged[^1] = merged[^1] with { Start = range.Start };
                    else
                        merged.Add(range);
                    previousWasMatch = isMatch;
                }
                merged.Reverse();
                break;
            }
            case SplitDelimiterBehavior.Contiguous:
            {
                var previousWasMatch = false;
                foreach (var (range, isMatch) in cover)
                {
                    if (isMatch == previousWasMatch && merged.Count > 0)
                        merged[^1] = merged[^1] with { End = range.End };
                    else
                        merged.Add(range);
                    previousWasMatch = isMatch;
                }
                break;
            }
        }
        pieces.AddRange(merged.Where(r => r.Length > 0));
    }

    /// <summary>Replaces every match by <paramref name="content"/> (HF's <c>NormalizedString::replace</c>).</summary>
    public string Replace(string text, string content)
    {
        var matches = new List<TextRange>();
        FindMatches(text, matches);
        if (matches.Count == 0)
            return text;
        var result = new System.Text.StringBuilder(text.Length + matches.Count * content.Length);
        var previousEnd = 0;
        foreach (var match in matches)
        {
            result.Append(text, previousEnd, match.Start - previousEnd).Append(content);
            previousEnd = match.End;
        }
        return result.Append(text, previousEnd, text.Length - previousEnd).ToString();
    }
}

internal enum SplitDelimiterBehavior
{
    Removed,
    Isolated,
    MergedWithPrevious,
    MergedWithNext,
    Contiguous,
}

internal sealed class LiteralPattern(string literal) : TextPattern
{
    public override void FindMatches(string text, List<TextRange> matches)
    {
        for (var at = text.IndexOf(literal, StringComparison.Ordinal); at >= 0;
             at = text.IndexOf(literal, at + literal.Length, StringComparison.Ordinal))
            matches.Add(new TextRange(at, at + literal.Length));
    }
}

internal sealed class RegexPattern(CodePointRegex regex) : TextPattern
{
    public override void FindMatches(string text, List<TextRange> matches) => regex.FindMatches(text, matches);
}

/// <summary>A .NET regex run with the semantics of the onig regex HF uses: on Unicode code points rather than
/// UTF-16 units, Ruby-syntax line anchors, and onig's rule that an empty match right after a match is skipped.</summary>
/// <remarks>.NET classifies each half of a surrogate pair as category Cs, so <c>\p{L}</c> would never match an
/// astral letter (𠀀, 𝐀) and <c>.</c> or <c>{1,3}</c> would count UTF-16 units. Text holding surrogate pairs is
/// therefore matched in a "folded" copy where each astral code point is replaced by one BMP stand-in of the same
/// Unicode general category, and match offsets are mapped back. Patterns that spell out astral code points cannot
/// be folded that way and are rejected.</remarks>
internal sealed partial class CodePointRegex
{
    // Ruby syntax (onig's default): ^ and $ match at line boundaries.
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Multiline;

    private static readonly ConcurrentDictionary<string, CodePointRegex> Cache = new(StringComparer.Ordinal);
    private static readonly char[] CategoryStandIns = BuildCategoryStandIns();

    private readonly Regex _regex;

    private CodePointRegex(Regex regex) => _regex = regex;

    /// <summary>Compiled once per pattern per process: tokenizers of one family share their split regex. GPT-2's
    /// pattern is source-generated, so the most common tokenizers pay no regex compilation at load.</summary>
    /// <exception cref="ArgumentException">The pattern is not a valid .NET regex or names astral code points.</exception>
    public static CodePointRegex Get(string pattern) => Cache.GetOrAdd(pattern, static p =>
    {
        if (p == ByteLevelPreTokenizer.Gpt2Pattern)
            return new CodePointRegex(Gpt2Regex());
        // (.NET rejects \x{...} escapes itself, so a literal surrogate pair is the only way to name one.)
        if (p.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0)
            throw new ArgumentException("patterns naming code points above U+FFFF are not supported");
        return new CodePointRegex(new Regex(p, Options | RegexOptions.Compiled));
    });

    [GeneratedRegex(ByteLevelPreTokenizer.Gpt2Pattern, Options)]
    private static partial Regex Gpt2Regex();

    public void FindMatches(string text, List<TextRange> matches)
    {
        if (text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            Collect(text, null, matches);
            return;
        }
        var folded = new char[text.Length];
        var original = new int[text.Length + 1]; // folded index -> text index
        var n = 0;
        for (var i = 0; i < text.Length; i++, n++)
        {
            original[n] = i;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]));
                folded[n] = CategoryStandIns[(int)category];
                i++;
            }
            else
            {
                folded[n] = text[i];
            }
        }
        original[n] = text.Length;
        Collect(folded.AsSpan(0, n), original, matches);
    }

    private void Collect(ReadOnlySpan<char> input, int[]? original, List<TextRange> matches)
    {
        var lastEnd = -1;
        foreach (var match in _regex.EnumerateMatches(input))
        {
            var start = match.Index;
            var end = match.Index + match.Length;
            if (start == end && start == lastEnd)
                continue; // onig (like Rust's regex) never yields an empty match adjacent to the previous one
            lastEnd = end;
            matches.Add(original is null ? new TextRange(start, end) : new TextRange(original[start], original[end]));
        }
    }

    /// <summary>One BMP character per general category, taken preferably from U+A000.. (rare scripts and
    /// presentation forms) so that it is unlikely to fall inside a range a tokenizer pattern names.</summary>
    private static char[] BuildCategoryStandIns()
    {
        var categoryCount = Enum.GetValues<UnicodeCategory>().Length;
        var standIns = new char[categoryCount];
        var found = new bool[categoryCount];
        foreach (var (from, to) in new[] { (0xA000, 0xFFFF), (0x0080, 0x9FFF), (0x0000, 0x007F) })
        {
            for (var c = from; c <= to; c++)
            {
                if (c is >= 0xD800 and <= 0xDFFF)
                    continue;
                var category = (int)CharUnicodeInfo.GetUnicodeCategory((char)c);
                if (found[category])
                    continue;
                found[category] = true;
                standIns[category] = (char)c;
            }
        }
        return standIns;
    }
}
