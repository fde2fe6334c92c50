using System.Text;

namespace SaeAudit.Models.Tokenizers;

/// <summary>GPT-2's <c>bytes_to_unicode</c>: every byte gets a printable character (printable Latin-1 bytes map to
/// themselves, the rest to U+0100.. in byte order), so byte-level BPE vocabularies are plain strings
/// (space -> 'Ġ' U+0120, '\n' -> 'Ċ' U+010A).</summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    /// <summary>Indexed by character; -1 for characters outside the alphabet (all alphabet characters are &lt; U+0144).</summary>
    private static readonly short[] CharToByte = BuildCharToByte();

    /// <summary>UTF-8 encodes <paramref name="text"/> and spells each byte with its alphabet character.
    /// (A lone surrogate, which Rust strings cannot hold, is encoded as U+FFFD.)</summary>
    public static string Encode(string text)
    {
        var byteCount = Encoding.UTF8.GetByteCount(text);
        var bytes = byteCount <= 512 ? stackalloc byte[byteCount] : new byte[byteCount];
        Encoding.UTF8.GetBytes(text, bytes);
        return string.Create(byteCount, bytes, static (chars, source) =>
        {
            for (var i = 0; i < chars.Length; i++)
                chars[i] = ByteToChar[source[i]];
        });
    }

    /// <summary>The bytes a token spells, or false when some character is outside the alphabet.</summary>
    public static bool TryDecode(string token, List<byte> bytes)
    {
        foreach (var c in token)
        {
            if (c >= CharToByte.Length || CharToByte[c] < 0)
                return false;
        }
        foreach (var c in token)
            bytes.Add((byte)CharToByte[c]);
        return true;
    }

    private static short[] BuildCharToByte()
    {
        var map = new short[ByteToChar.Max() + 1];
        Array.Fill(map, (short)-1);
        for (var b = 0; b < 256; b++)
            map[ByteToChar[b]] = (short)b;
        return map;
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }
}
