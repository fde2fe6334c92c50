using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Checkpoints;

/// <summary>Reads and writes numpy <c>.npy</c> files (format 1.0-3.0, little-endian, C order; the dtypes
/// f2/f4/f8, i1..i8, u1..u8, b1). Writes are byte-identical to numpy 1.24's <c>np.save</c> and atomic.
/// Assumes a little-endian host.</summary>
public static class NpyFile
{
    /// <summary>Reads <paramref name="path"/>; a malformed or unsupported file is an <see cref="InvalidInputException"/>
    /// naming it and the header field at fault.</summary>
    public static NpyArray Read(string path)
    {
        path = Path.GetFullPath(path);
        if (!File.Exists(path)) throw InvalidInputException.For(path, null, ".npy file not found");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Read(stream, stream.Length, path);
    }

    /// <summary>Reads a .npy of <paramref name="length"/> bytes from <paramref name="stream"/> (which need not seek, e.g.
    /// a member of an .npz zip); <paramref name="name"/> is what errors name, e.g. "params.npz: member 'W_enc.npy'".</summary>
    public static NpyArray Read(Stream stream, long length, string name)
    {
        var (header, dtype, count) = ReadHeader(stream, length, name, out var dataStart);
        var itemSize = dtype[2] - '0';
        var dataLength = length - dataStart;
        if (dataLength != count * itemSize)
            throw InvalidInputException.For(name, "shape",
                dataLength < count * itemSize
                    ? $"{dtype} {TensorEntry.FormatShape(header.Shape)} needs {count * itemSize} bytes but the file holds {dataLength} after the header (truncated?)"
                    : $"{dataLength - count * itemSize} bytes follow the {dtype} {TensorEntry.FormatShape(header.Shape)} array data");
        if (dataLength > Array.MaxLength)
            throw new NotSupportedException($"{name}: {dataLength} bytes of array data exceed what this reader holds in memory");

        var data = GC.AllocateUninitializedArray<byte>((int)dataLength);
        stream.ReadExactly(data);
        return new NpyArray(name, dtype, header.Shape, data);
    }

    /// <summary>The dtype (numpy <c>descr</c>, e.g. "&lt;f4") and shape of a .npy, reading only its header.</summary>
    public static (string DType, int[] Shape) ReadShape(Stream stream, long length, string name)
    {
        var (header, dtype, _) = ReadHeader(stream, length, name, out _);
        return (dtype, header.Shape);
    }

    private static (NpyHeader Header, string DType, long Count) ReadHeader(Stream stream, long length, string name, out long dataStart)
    {
        Span<byte> prefix = stackalloc byte[12];
        if (stream.ReadAtLeast(prefix[..10], 10, throwOnEndOfStream: false) < 10 || !prefix[..6].SequenceEqual(NpyHeader.Magic))
            throw InvalidInputException.For(name, "magic", "not a .npy file (missing the \\x93NUMPY magic)");
        int major = prefix[6], minor = prefix[7];
        if (major is < 1 or > 3 || minor != 0)
            throw InvalidInputException.For(name, "version", $"format {major}.{minor} is not supported (1.0, 2.0, 3.0)");
        long headerLength;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..10]);
        }
        else
        {
            if (stream.ReadAtLeast(prefix[10..12], 2, throwOnEndOfStream: false) < 2)
                throw InvalidInputException.For(name, "header", "file ends inside the header length");
            headerLength = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..12]);
        }
        dataStart = (major == 1 ? 10 : 12) + headerLength;
        if (dataStart > length)
            throw InvalidInputException.For(name, "header", $"header length {headerLength} runs past the end of the file ({length} bytes)");

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        // Versions 1 and 2 store the header in latin-1, version 3 in UTF-8.
        var headerText = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        var header = NpyHeader.Parse(name, headerText);
        if (header.FortranOrder)
            throw InvalidInputException.For(name, "fortran_order", "Fortran-order arrays are not supported (save with np.ascontiguousarray)");
        var dtype = NormalizeDType(name, header.Descr);
        try
        {
            return (header, dtype, TensorEntry.ElementCountOf(header.Shape));
        }
        catch (OverflowException)
        {
            throw InvalidInputException.For(name, "shape", $"{TensorEntry.FormatShape(header.Shape)} is too large");
        }
    }

    /// <summary>Writes a float32 tensor as <c>&lt;f4</c>.</summary>
    public static void Write(string path, Tensor tensor) => WriteFloat32(path, tensor.Data, tensor.Shape);

    public static void WriteFloat32(string path, ReadOnlySpan<float> data, ReadOnlySpan<int> shape) =>
        Write(path, "<f4", MemoryMarshal.AsBytes(data), data.Length, shape);

    public static void WriteInt32(string path, ReadOnlySpan<int> data, ReadOnlySpan<int> shape) =>
        Write(path, "<i4", MemoryMarshal.AsBytes(data), data.Length, shape);

    public static void WriteInt64(string path, ReadOnlySpan<long> data, ReadOnlySpan<int> shape) =>
        Write(path, "<i8", MemoryMarshal.AsBytes(data), data.Length, shape);

    private static void Write(string path, string descr, ReadOnlySpan<byte> bytes, int count, ReadOnlySpan<int> shape)
    {
        var dims = shape.ToArray();
        var expected = TensorEntry.ElementCountOf(dims);
        if (expected != count)
            throw new ArgumentException($"shape {TensorEntry.FormatShape(dims)} needs {expected} values, got {count}", nameof(shape));
        using var file = AtomicFile.Create(path);
        file.Stream.Write(new NpyHeader(descr, false, dims).Format());
        file.Stream.Write(bytes);
        file.Commit();
    }

    /// <summary>Canonical numpy spelling: '&lt;' for multi-byte types, '|' for single bytes; big-endian is refused.</summary>
    private static string NormalizeDType(string path, string descr)
    {
        if (descr.Length != 3 || descr[0] is not ('<' or '>' or '=' or '|') || !char.IsAsciiDigit(descr[2]))
            throw InvalidInputException.For(path, "descr", $"'{descr}' is not supported (f2, f4, f8, i1-i8, u1-u8, b1)");
        var kind = descr[1];
        var size = descr[2] - '0';
        var supported = kind switch
        {
            'f' => size is 2 or 4 or 8,
            'i' or 'u' => size is 1 or 2 or 4 or 8,
            'b' => size == 1,
            _ => false,
        };
        if (!supported) throw InvalidInputException.For(path, "descr", $"'{descr}' is not supported (f2, f4, f8, i1-i8, u1-u8, b1)");
        if (size == 1) return $"|{kind}1";
        if (descr[0] == '>') throw InvalidInputException.For(path, "descr", $"'{descr}' is big-endian; only little-endian arrays are supported");
        return $"<{kind}{size}";
    }
}
