using System.Runtime.InteropServices;

namespace SaeAudit.Tensors;

/// <summary>A weight matrix [<see cref="Rows"/>, <see cref="Columns"/>], row-major with rows <see cref="RowStride"/>
/// elements apart, as the engine multiplies it: a float32 <see cref="Tensor"/>, or a float32, BF16 or F16 view of
/// memory a <see cref="SafeHandle"/> owns (a memory-mapped checkpoint). So 16-bit weights stay 16-bit in memory and
/// checkpoint weights are not copied: they are widened to float32 (exactly) only where they are read — inside the
/// GEMM's packing step and by <see cref="ReadRow"/>. A view is valid until its owner is disposed; using it after that
/// throws <see cref="ObjectDisposedException"/>.</summary>
public sealed unsafe class WeightMatrix
{
    private readonly float[]? _array;
    private readonly SafeHandle? _owner;
    private readonly byte* _mapped;

    /// <summary>Elements from the start of the storage to row 0.</summary>
    private readonly long _offset;

    private WeightMatrix(float[]? array, SafeHandle? owner, byte* mapped, long offset, WeightType type, int rows, int columns, long rowStride)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        _array = array;
        _owner = owner;
        _mapped = mapped;
        _offset = offset;
        Type = type;
        Rows = rows;
        Columns = columns;
        RowStride = rowStride;
    }

    /// <summary><paramref name="tensor"/> viewed as [Rows, Columns] (no copy; the tensor's data is the storage).</summary>
    public static WeightMatrix FromTensor(Tensor tensor) =>
        new(tensor.Data, null, null, 0, WeightType.Float32, tensor.Rows, tensor.Columns, tensor.Columns);

    /// <summary>A dense [rows, columns] matrix of <paramref name="type"/> at <paramref name="data"/>, memory that
    /// <paramref name="owner"/> keeps valid until it is disposed (the caller vouches for the extent).</summary>
    public static WeightMatrix Mapped(SafeHandle owner, byte* data, WeightType type, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if ((nint)data % type.Size() != 0)
            throw new ArgumentException($"{type.Name()} data at {(nint)data:x} is not aligned to its element size", nameof(data));
        return new WeightMatrix(null, owner, data, 0, type, rows, columns, columns);
    }

    public static implicit operator WeightMatrix(Tensor tensor) => FromTensor(tensor);

    public WeightType Type { get; }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>Elements between the starts of consecutive rows (≥ <see cref="Columns"/> for a column view).</summary>
    public long RowStride { get; }

    public int[] Shape => [Rows, Columns];

    /// <summary>Columns [first, first + count) of every row, sharing this matrix's storage.</summary>
    public WeightMatrix SliceColumns(int first, int count)
    {
        if (first < 0 || count < 0 || first + count > Columns)
            throw new ArgumentOutOfRangeException(nameof(count), $"columns [{first}, {first + count}) of {this}");
        return new WeightMatrix(_array, _owner, _mapped, _offset + first, Type, Rows, count, RowStride);
    }

    /// <summary>Row <paramref name="row"/> widened to float32 into <paramref name="destination"/> (length <see cref="Columns"/>).</summary>
    public void ReadRow(int row, Span<float> destination)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), $"row {row} of {this}");
        if (destination.Length != Columns)
            throw new ArgumentException($"destination has {destination.Length} elements, a row of {this} {Columns}", nameof(destination));
        using var pinned = Pin();
        Type.Widen(new ReadOnlySpan<byte>(pinned.Row(row), Columns * Type.Size()), destination);
    }

    /// <summary>A float32 copy [Rows, Columns], for the few consumers that need one briefly (do not keep it for a run).</summary>
    public Tensor ToFloat32()
    {
        var copy = Tensor.Zeros(Rows, Columns);
        using var pinned = Pin();
        fixed (float* destination = copy.Data)
            for (var row = 0; row < Rows; row++)
                Type.Widen(pinned.Row(row), destination + (long)row * Columns, Columns);
        return copy;
    }

    /// <summary>Whether <paramref name="data"/> is this matrix's storage (an output must not alias an input).</summary>
    public bool IsStoredIn(float[] data) => ReferenceEquals(_array, data);

    public override string ToString() => $"WeightMatrix[{Rows}, {Columns}] {Type.Name()}";

    /// <summary>Keeps the storage in place (a pinned array, or a reference on the mapping's owner) while the
    /// returned pointer is in use.</summary>
    internal Pinned Pin() => new(this);

    internal ref struct Pinned
    {
        private readonly WeightMatrix _matrix;
        private GCHandle _handle;
        private bool _ownerReferenced;

        public Pinned(WeightMatrix matrix)
        {
            _matrix = matrix;
            byte* start;
            if (matrix._array is not null)
            {
                _handle = GCHandle.Alloc(matrix._array, GCHandleType.Pinned);
                start = (byte*)_handle.AddrOfPinnedObject();
            }
            else
            {
                // Throws ObjectDisposedException once the owner (the mapping) is disposed.
                matrix._owner!.DangerousAddRef(ref _ownerReferenced);
                start = matrix._mapped;
            }
            Pointer = start + matrix._offset * matrix.Type.Size();
        }

        /// <summary>Row 0.</summary>
        public byte* Pointer { get; }

        public readonly byte* Row(int row) => Pointer + row * _matrix.RowStride * _matrix.Type.Size();

        public void Dispose()
        {
            if (_handle.IsAllocated) _handle.Free();
            if (_ownerReferenced) _matrix._owner!.DangerousRelease();
            _ownerReferenced = false;
        }
    }
}
