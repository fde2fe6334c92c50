using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Checkpoints;

/// <summary>A read-only, memory-mapped safetensors file (format: 8-byte little-endian header length, JSON header,
/// data section). Opening reads and validates only the header; tensor bytes are paged in when loaded.
/// Spans returned by <see cref="RawBytes"/> / <see cref="RawSpan{T}"/> point into the mapping and are valid until
/// <see cref="Dispose"/>. Reading is thread-safe. Assumes a little-endian host, as safetensors data is little-endian.</summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _data;
    private bool _disposed;

    private SafetensorsFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* fileStart,
        long dataStart, Dictionary<string, TensorEntry> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        _map = map;
        _view = view;
        _data = fileStart + dataStart;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>Tensor name → entry.</summary>
    public IReadOnlyDictionary<string, TensorEntry> Tensors { get; }

    /// <summary>The header's <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and validates <paramref name="path"/>; every malformed header is an
    /// <see cref="InvalidInputException"/> naming the file (and the tensor at fault).</summary>
    public static SafetensorsFile Open(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(path)) throw InvalidInputException.For(path, null, "safetensors file not found");

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var fileLength = stream.Length;
        MemoryMappedFile map;
        try
        {
            if (fileLength < 8)
                throw InvalidInputException.For(path, "header length",
                    $"file is {fileLength} bytes, shorter than the 8-byte header length prefix");
            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        MemoryMappedViewAccessor? view = null;
        byte* pointer = null;
        try
        {
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            var fileStart = pointer + view.PointerOffset;

            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(fileStart, 8));
            if (headerLength > SafetensorsHeader.MaxHeaderLength)
                throw InvalidInputException.For(path, "header length",
                    $"{headerLength} bytes is not plausible (limit {SafetensorsHeader.MaxHeaderLength}); not a safetensors file?");
            if ((long)headerLength > fileLength - 8)
                throw InvalidInputException.For(path, "header length",
                    $"{headerLength} bytes runs past the end of the file ({fileLength} bytes)");

            var dataStart = 8 + (long)headerLength;
            var header = new ReadOnlySpan<byte>(fileStart + 8, (int)headerLength).ToArray();
            var (tensors, metadata) = SafetensorsHeader.Parse(path, header, fileLength - dataStart);
            return new SafetensorsFile(path, map, view, fileStart, dataStart, tensors, metadata);
        }
        catch
        {
            if (pointer != null) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => Tensors.ContainsKey(name);

    /// <summary>The entry for <paramref name="name"/>, or an <see cref="InvalidInputException"/> naming file and tensor.</summary>
    public TensorEntry Entry(string name) =>
        Tensors.TryGetValue(name, out var entry)
            ? entry
            : throw InvalidInputException.For(Path, SafetensorsHeader.TensorField(name),
                $"not found in the file ({Tensors.Count} tensors)");

    /// <summary>Loads a F32/F16/BF16 tensor widened exactly to float32 (F64 is rounded to nearest).</summary>
    public Tensor LoadFloat32(string name)
    {
        var entry = Entry(name);
        var data = entry.ElementCount == 0 ? [] : GC.AllocateUninitializedArray<float>(ArrayLength(entry));
        ReadFloat32(entry, data);
        return new Tensor(data, entry.ShapeArray());
    }

    /// <summary>A 2-D float tensor as a <see cref="WeightMatrix"/>: F32, BF16 and F16 data is used where it lies in the
    /// mapping (no copy; valid until <see cref="Dispose"/>); F64, or F32 not aligned to 4 bytes, is loaded as float32.</summary>
    public WeightMatrix Weights(string name)
    {
        var entry = Entry(name);
        if (entry.Shape.Count != 2)
            throw InvalidInputException.For(Path, SafetensorsHeader.TensorField(name), $"shape is {entry.ShapeText}, expected a matrix");
        var data = DataOf(entry);
        WeightType? type = entry.DType switch
        {
            SafetensorsDType.F32 when (nint)data % sizeof(float) == 0 => WeightType.Float32,
            SafetensorsDType.BF16 when (nint)data % sizeof(ushort) == 0 => WeightType.BFloat16,
            SafetensorsDType.F16 when (nint)data % sizeof(ushort) == 0 => WeightType.Float16,
            _ => null,
        };
        return type is { } mapped
            ? WeightMatrix.Mapped(_view.SafeMemoryMappedViewHandle, data, mapped, entry.Shape[0], entry.Shape[1])
            : WeightMatrix.FromTensor(LoadFloat32(name));
    }

    /// <summary>Loads a float tensor into <paramref name="destination"/> (length = element count), e.g. a preallocated buffer.</summary>
    public void ReadFloat32(string name, Span<float> destination) => ReadFloat32(Entry(name), destination);

    /// <summary>Elements [<paramref name="start"/>, start + destination.Length) of a float tensor (row-major) as
    /// float32, read from the mapping: a large tensor can be streamed without a float32 copy of it.</summary>
    public void ReadFloat32(string name, long start, Span<float> destination)
    {
        var entry = Entry(name);
        RequireFloat(entry);
        if (start < 0 || start + destination.Length > entry.ElementCount)
            throw new ArgumentOutOfRangeException(nameof(start),
                $"elements [{start}, {start + destination.Length}) are not in tensor '{name}' of {entry.ElementCount}");
        fixed (float* dst = destination)
            Float32Conversion.Convert(entry.DType, DataOf(entry) + start * entry.DType.Size(), dst, destination.Length);
    }

    /// <summary>Loads an integer tensor (I8/U8/I16/U16/I32/U32/I64/U64) as int32; values outside int32 are an error.</summary>
    public int[] LoadInt32(string name)
    {
        var entry = IntegerEntry(name);
        var source = DataOf(entry);
        var result = new int[ArrayLength(entry)];
        if (entry.DType == SafetensorsDType.I32)
        {
            new ReadOnlySpan<int>(source, result.Length).CopyTo(result);
            return result;
        }
        for (var i = 0; i < result.Length; i++)
        {
            var value = ReadInteger(entry.DType, source, i);
            if (value < int.MinValue || value > int.MaxValue) throw DoesNotFit(entry, i, value, "int32");
            result[i] = (int)value;
        }
        return result;
    }

    /// <summary>Loads an integer tensor as int64; U64 values above <see cref="long.MaxValue"/> are an error.</summary>
    public long[] LoadInt64(string name)
    {
        var entry = IntegerEntry(name);
        var source = DataOf(entry);
        var result = new long[ArrayLength(entry)];
        if (entry.DType == SafetensorsDType.I64)
        {
            new ReadOnlySpan<long>(source, result.Length).CopyTo(result);
            return result;
        }
        for (var i = 0; i < result.Length; i++)
        {
            var value = ReadInteger(entry.DType, source, i);
            if (value > long.MaxValue) throw DoesNotFit(entry, i, value, "int64");
            result[i] = (long)value;
        }
        return result;
    }

    /// <summary>The stored bytes of a tensor, without a copy (valid until <see cref="Dispose"/>).</summary>
    public ReadOnlySpan<byte> RawBytes(string name)
    {
        var entry = Entry(name);
        if (entry.ByteLength > int.MaxValue)
            throw new NotSupportedException($"{Path}: tensor '{name}' has {entry.ByteLength} bytes, above a span's limit; use RawSpan<T>");
        return new ReadOnlySpan<byte>(DataOf(entry), (int)entry.ByteLength);
    }

    /// <summary>The stored elements reinterpreted as <typeparamref name="T"/> without a copy, e.g. <c>RawSpan&lt;ushort&gt;</c>
    /// for BF16 bit patterns or <c>RawSpan&lt;Half&gt;</c> for F16. The size of T must equal the dtype's size.</summary>
    public ReadOnlySpan<T> RawSpan<T>(string name) where T : unmanaged
    {
        var entry = Entry(name);
        if (sizeof(T) != entry.DType.Size())
            throw new ArgumentException(
                $"{Path}: tensor '{name}' is {entry.DType.Name()} ({entry.DType.Size()} bytes/element), not {typeof(T).Name} ({sizeof(T)} bytes)");
        return new ReadOnlySpan<T>(DataOf(entry), ArrayLength(entry));
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }

    private void ReadFloat32(TensorEntry entry, Span<float> destination)
    {
        RequireFloat(entry);
        if (destination.Length != entry.ElementCount)
            throw new ArgumentException(
                $"destination has {destination.Length} elements, tensor '{entry.Name}' has {entry.ElementCount}", nameof(destination));
        var source = DataOf(entry);
        fixed (float* dst = destination)
            Float32Conversion.Convert(entry.DType, source, dst, entry.ElementCount);
    }

    private void RequireFloat(TensorEntry entry)
    {
        if (!entry.DType.IsFloat())
            throw InvalidInputException.For(Path, SafetensorsHeader.TensorField(entry.Name),
                $"dtype {entry.DType.Name()} cannot be loaded as float32 (expected F32, F16, BF16 or F64)");
    }

    private byte* DataOf(TensorEntry entry)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _data + entry.Begin;
    }

    /// <summary>Element count as a .NET array/span length; a single tensor above that limit cannot be materialised.</summary>
    private int ArrayLength(TensorEntry entry) =>
        entry.ElementCount <= Array.MaxLength
            ? (int)entry.ElementCount
            : throw new NotSupportedException(
                $"{Path}: tensor '{entry.Name}' has {entry.ElementCount} elements, above the .NET array limit ({Array.MaxLength})");

    private TensorEntry IntegerEntry(string name)
    {
        var entry = Entry(name);
        if (!entry.DType.IsInteger())
            throw InvalidInputException.For(Path, SafetensorsHeader.TensorField(name),
                $"dtype {entry.DType.Name()} is not an integer type (expected I8, U8, I16, U16, I32, U32, I64 or U64)");
        return entry;
    }

    private InvalidInputException DoesNotFit(TensorEntry entry, int index, Int128 value, string type) =>
        InvalidInputException.For(Path, SafetensorsHeader.TensorField(entry.Name), $"element {index} = {value} does not fit in {type}");

    /// <summary>Int128 holds every stored integer type, so callers can range-check U64 and I64 alike.</summary>
    private static Int128 ReadInteger(SafetensorsDType dtype, byte* source, long index) => dtype switch
    {
        SafetensorsDType.U8 => source[index],
        SafetensorsDType.I8 => (sbyte)source[index],
        SafetensorsDType.I16 => Unsafe.ReadUnaligned<short>(source + 2 * index),
        SafetensorsDType.U16 => Unsafe.ReadUnaligned<ushort>(source + 2 * index),
        SafetensorsDType.I32 => Unsafe.ReadUnaligned<int>(source + 4 * index),
        SafetensorsDType.U32 => Unsafe.ReadUnaligned<uint>(source + 4 * index),
        SafetensorsDType.I64 => Unsafe.ReadUnaligned<long>(source + 8 * index),
        SafetensorsDType.U64 => Unsafe.ReadUnaligned<ulong>(source + 8 * index),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not an integer dtype"),
    };
}
