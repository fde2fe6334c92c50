using System.Globalization;
using System.Text;

namespace SaeAudit.Models.Checkpoints;

/// <summary>The Python dict literal of a .npy header, e.g.
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (713, 128), }</c>, parsed with a small recursive-descent
/// reader (strings, True/False, tuples of integers: all numpy writes for a plain array) and formatted byte-identically
/// to numpy's <c>np.save</c> (format 1.0).</summary>
internal sealed record NpyHeader(string Descr, bool FortranOrder, int[] Shape)
{
    /// <summary>numpy pads the header so the data starts on a 64-byte boundary.</summary>
    private const int Alignment = 64;

    /// <summary>numpy leaves room for the first dimension to grow to this many digits (in-place appends).</summary>
    private const int GrowthAxisMaxDigits = 21;

    public static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static NpyHeader Parse(string file, string text) => new Parser(file, text).ParseDict();

    /// <summary>The complete v1.0 preamble (magic, version, length, padded dict, newline), as numpy 1.24 writes it.</summary>
    public byte[] Format()
    {
        var shape = Shape.Length == 1 ? $"({Shape[0]},)" : "(" + string.Join(", ", Shape) + ")";
        var dict = $"{{'descr': '{Descr}', 'fortran_order': {(FortranOrder ? "True" : "False")}, 'shape': {shape}, }}";
        if (Shape.Length > 0) dict += new string(' ', GrowthAxisMaxDigits - Shape[0].ToString(CultureInfo.InvariantCulture).Length);
        var prefixLength = Magic.Length + 2 + 2;
        var padding = Alignment - (prefixLength + dict.Length + 1) % Alignment;
        var headerLength = dict.Length + padding + 1;
        if (headerLength > ushort.MaxValue) throw new ArgumentException("shape too long for a .npy 1.0 header");

        var bytes = new byte[prefixLength + headerLength];
        Magic.CopyTo(bytes, 0);
        bytes[6] = 1;
        bytes[7] = 0;
        bytes[8] = (byte)headerLength;
        bytes[9] = (byte)(headerLength >> 8);
        Encoding.ASCII.GetBytes(dict, 0, dict.Length, bytes, prefixLength);
        bytes.AsSpan(prefixLength + dict.Length, padding).Fill((byte)' ');
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    private sealed class Parser(string file, string text)
    {
        private int _pos;

        public NpyHeader ParseDict()
        {
            string? descr = null;
            bool? fortranOrder = null;
            int[]? shape = null;
            Expect('{');
            while (true)
            {
                SkipSpace();
                if (Peek() == '}') break;
                var key = ParseString();
                Expect(':');
                SkipSpace();
                switch (key)
                {
                    case "descr":
                        if (Peek() == '[') throw Error("descr", "structured (record) dtypes are not supported");
                        descr = ParseString();
                        break;
                    case "fortran_order":
                        fortranOrder = ParseBool();
                        break;
                    case "shape":
                        shape = ParseShape();
                        break;
                    default:
                        throw Error("header", $"unexpected key '{key}' (expected descr, fortran_order, shape)");
                }
                SkipSpace();
                if (Peek() == ',') _pos++;
                else if (Peek() != '}') throw Error("header", $"expected ',' or '}}' at character {_pos}");
            }
            _pos++;
            if (text.AsSpan(_pos).Trim().Length != 0) throw Error("header", $"unexpected text after the dict at character {_pos}");
            return new NpyHeader(
                descr ?? throw Error("descr", "missing from the header"),
                fortranOrder ?? throw Error("fortran_order", "missing from the header"),
                shape ?? throw Error("shape", "missing from the header"));
        }

        private string ParseString()
        {
            SkipSpace();
            var quote = Peek();
            if (quote is not ('\'' or '"')) throw Error("header", $"expected a quoted string at character {_pos}");
            var end = text.IndexOf(quote, _pos + 1);
            if (end < 0) throw Error("header", "unterminated string");
            var value = text[(_pos + 1)..end];
            _pos = end + 1;
            return value;
        }

        private bool ParseBool()
        {
            if (Take("True")) return true;
            if (Take("False")) return false;
            throw Error("fortran_order", $"expected True or False at character {_pos}");
        }

        private int[] ParseShape()
        {
            Expect('(');
            var dims = new List<int>();
            while (true)
            {
                SkipSpace();
                if (Peek() == ')') break;
                var start = _pos;
                while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
                if (!int.TryParse(text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out var dim))
                    throw Error("shape", $"expected a non-negative integer below 2^31 at character {start}");
                dims.Add(dim);
                if (Peek() == 'L') _pos++; // Python 2 long literal, still found in old files
                SkipSpace();
                if (Peek() == ',') _pos++;
                else if (Peek() != ')') throw Error("shape", $"expected ',' or ')' at character {_pos}");
            }
            _pos++;
            return dims.ToArray();
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c) throw Error("header", $"expected '{c}' at character {_pos}");
            _pos++;
        }

        private bool Take(string word)
        {
            if (string.CompareOrdinal(text, _pos, word, 0, word.Length) != 0) return false;
            _pos += word.Length;
            return true;
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private InvalidInputException Error(string field, string problem) => InvalidInputException.For(file, field, problem);
    }
}
