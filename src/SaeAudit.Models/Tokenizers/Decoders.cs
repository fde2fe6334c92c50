using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace SaeAudit.Models.Tokenizers;

/// <summary>tokenizer.json <c>decoder</c>: HF's <c>decode_chain</c> turns the token strings into new strings,
/// which are finally concatenated.</summary>
internal abstract class Decoder
{
    /// <summary>Lossy UTF-8 like Rust's <c>String::from_utf8_lossy</c>: one U+FFFD per maximal invalid subsequence.</summary>
    protected static readonly Encoding LossyUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public abstract List<string> DecodeChain(List<string> tokens);

    public string Decode(List<string> tokens) => string.Concat(DecodeChain(tokens));

    public static Decoder Load(ConfigNode node)
    {
        var type = node.TypeName();
        return type switch
        {
            "Sequence" => new SequenceDecoder(node.Required("decoders").Items().Select(Load).ToArray()),
            "ByteLevel" => new ByteLevelDecoder(),
            "ByteFallback" => new ByteFallbackDecoder(),
            "Fuse" => new FuseDecoder(),
            "Strip" => new StripDecoder(node.Required("content").AsChar(), node.Required("start").AsInt(), node.Required("stop").AsInt()),
            "Replace" => new ReplaceDecoder(TextPattern.Parse(node.Required("pattern")), node.Required("content").AsString()),
            "Metaspace" => new MetaspaceDecoder(node.Required("replacement").AsChar(), MetaspacePreTokenizer.ParsePrependScheme(node)),
            _ => throw node.Unsupported("decoder", type, "Sequence, ByteLevel, ByteFallback, Fuse, Strip, Replace, Metaspace"),
        };
    }
}

internal sealed class SequenceDecoder(Decoder[] decoders) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        foreach (var decoder in decoders)
            tokens = decoder.DecodeChain(tokens);
        return tokens;
    }
}

/// <summary>Maps the byte-level alphabet back to bytes over all tokens at once, then decodes UTF-8 lossily.
/// A token with a character outside the alphabet (an added token such as "&lt;mask&gt;" written as-is)
/// contributes its own UTF-8 bytes.</summary>
internal sealed class ByteLevelDecoder : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var bytes = new List<byte>();
        foreach (var token in tokens)
        {
            if (!ByteLevelAlphabet.TryDecode(token, bytes))
                bytes.AddRange(Encoding.UTF8.GetBytes(token));
        }
        return [LossyUtf8.GetString(CollectionsMarshal.AsSpan(bytes))];
    }
}

/// <summary>Runs of <c>&lt;0xXX&gt;</c> tokens become the string they encode; an invalid UTF-8 run becomes one
/// U+FFFD per byte (HF's rule, unlike the ByteLevel decoder's lossy decoding).</summary>
internal sealed class ByteFallbackDecoder : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var output = new List<string>(tokens.Count);
        var pending = new List<byte>();
        foreach (var token in tokens)
        {
            if (TryParseByteToken(token, out var b))
            {
                pending.Add(b);
                continue;
            }
            Flush(pending, output);
            output.Add(token);
        }
        Flush(pending, output);
        return output;
    }

    private static void Flush(List<byte> pending, List<string> output)
    {
        if (pending.Count == 0)
            return;
        var bytes = CollectionsMarshal.AsSpan(pending);
        if (Utf8.IsValid(bytes))
            output.Add(Encoding.UTF8.GetString(bytes));
        else
            output.AddRange(Enumerable.Repeat("\uFFFD", pending.Count));
        pending.Clear();
    }

    /// <summary>HF checks: 6 UTF-8 bytes, "&lt;0x" ... "&gt;", and Rust's <c>u8::from_str_radix</c> on the two
    /// characters in between (which also accepts a '+' sign: "&lt;0x+A&gt;").</summary>
    private static bool TryParseByteToken(string token, out byte value)
    {
        value = 0;
        if (token.Length != 6 || !token.StartsWith("<0x", StringComparison.Ordinal) || token[5] != '>')
            return false;
        var digits = token.AsSpan(3, 2);
        if (digits[0] == '+')
            digits = digits[1..];
        return byte.TryParse(digits, System.Globalization.NumberStyles.AllowHexSpecifier, null, out value);
    }
}

internal sealed class FuseDecoder : Decoder
{
    public override List<string> DecodeChain(List<string> tokens) => [string.Concat(tokens)];
}

/// <summary>Removes up to <c>start</c> leading and <c>stop</c> trailing <c>content</c> characters from each token.</summary>
internal sealed class StripDecoder(char content, int start, int stop) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens) => tokens.Select(Strip).ToList();

    private string Strip(string token)
    {
        var from = 0;
        while (from < start && from < token.Length && token[from] == content)
            from++;
        var to = token.Length;
        while (token.Length - to < stop && to > from && token[to - 1] == content)
            to--;
        return token[from..to];
    }
}

internal sealed class ReplaceDecoder(TextPattern pattern, string content) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens) => tokens.Select(t => pattern.Replace(t, content)).ToList();
}

/// <summary>The replacement character becomes a space, except in the first token when a prefix was prepended
/// at encode time.</summary>
internal sealed class MetaspaceDecoder(char replacement, PrependScheme prependScheme) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens) =>
        tokens.Select((token, i) => i == 0 && prependScheme != PrependScheme.Never
            ? token.Replace(replacement.ToString(), "")
            : token.Replace(replacement, ' ')).ToList();
}
