using System.Runtime.InteropServices;

namespace SaeAudit.Tensors.Tests;

/// <summary>A BF16/F16 (or mapped float32) weight matrix is multiplied as stored, widened inside the GEMM's packing step:
/// the result must be bit-identical to multiplying by its float32 widening, for every kernel, thread count, layout,
/// column view and block edge.</summary>
public sealed unsafe class WeightMatrixTests
{
    /// <summary>Native memory standing in for a memory-mapped checkpoint: freed when disposed.</summary>
    private sealed class NativeBuffer : SafeHandle
    {
        public NativeBuffer(long bytes)
            : base(0, ownsHandle: true) => SetHandle((nint)NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), 64));

        public byte* Pointer => (byte*)handle;

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            NativeMemory.AlignedFree((void*)handle);
            return true;
        }
    }

    /// <summary>Random weights stored as <paramref name="type"/> in native memory, and their exact float32 widening.</summary>
    private static (NativeBuffer Storage, WeightMatrix Weights, Tensor Widened) Stored(WeightType type, int seed, int rows, int columns)
    {
        var values = TestData.Random(seed, 2f, rows, columns);
        var storage = new NativeBuffer((long)rows * columns * type.Size());
        for (var i = 0; i < values.Data.Length; i++)
        {
            switch (type)
            {
                case WeightType.Float32:
                    ((float*)storage.Pointer)[i] = values.Data[i];
                    break;
                case WeightType.BFloat16:
                    var bits = (ushort)(BitConverter.SingleToUInt32Bits(values.Data[i]) >> 16);
                    ((ushort*)storage.Pointer)[i] = bits;
                    values.Data[i] = BitConverter.UInt32BitsToSingle((uint)bits << 16);
                    break;
                default:
                    var half = (Half)values.Data[i];
                    ((Half*)storage.Pointer)[i] = half;
                    values.Data[i] = (float)half;
                    break;
            }
        }
        return (storage, WeightMatrix.Mapped(storage, storage.Pointer, type, rows, columns), values);
    }

    public static TheoryData<WeightType, bool> Layouts()
    {
        var cases = new TheoryData<WeightType, bool>();
        foreach (var type in Enum.GetValues<WeightType>())
        foreach (var transposeB in new[] { false, true })
            cases.Add(type, transposeB);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Multiplies_bit_identically_to_the_widened_float32_matrix(WeightType type, bool transposeB)
    {
        // k across a KC block edge, n across an NC block edge and a partial panel, m with a partial strip.
        int m = 37, k = 300, n = 1100;
        var a = TestData.Random(1, 1f, m, k);
        var bias = TestData.Random(2, 1f, n);
        var (storage, weights, widened) = transposeB ? Stored(type, 3, n, k) : Stored(type, 3, k, n);
        using (storage)
        {
            foreach (var isa in TestData.SupportedIsas())
            foreach (var threads in new[] { 1, 3 })
            {
                var backend = new CpuBackend(threads, isa);
                var expected = Tensor.Zeros(m, n);
                backend.MatMul(a, widened, expected, transposeB, bias);
                var actual = TestData.Random(4, 1e6f, m, n);
                backend.MatMul(a, weights, actual, transposeB, bias);
                TestData.ShouldBeBitIdentical(actual, expected, $"{type.Name()}{(transposeB ? "ᵀ" : "")}, {isa}, {threads} threads");
            }
        }
    }

    [Theory]
    [InlineData(WeightType.BFloat16)]
    [InlineData(WeightType.Float32)]
    public void A_column_view_multiplies_as_those_columns(WeightType type)
    {
        // GPT-2's c_attn [d, 3d] is used as three [d, d] views.
        int m = 20, k = 64, n = 48;
        var a = TestData.Random(5, 1f, m, k);
        var (storage, weights, widened) = Stored(type, 6, k, 3 * n);
        using (storage)
        {
            var middle = Tensor.Zeros(k, n);
            for (var row = 0; row < k; row++) widened.Row(row).Slice(n, n).CopyTo(middle.Row(row));
            var backend = new CpuBackend(2);
            var expected = Tensor.Zeros(m, n);
            backend.MatMul(a, middle, expected);
            var actual = Tensor.Zeros(m, n);
            backend.MatMul(a, weights.SliceColumns(n, n), actual);
            TestData.ShouldBeBitIdentical(actual, expected, "columns [n, 2n)");

            var row7 = new float[n];
            weights.SliceColumns(n, n).ReadRow(7, row7);
            row7.Should().Equal(middle.Row(7).ToArray());
        }
    }

    [Theory]
    [InlineData(WeightType.BFloat16)]
    [InlineData(WeightType.Float16)]
    public void Rows_and_copies_widen_exactly(WeightType type)
    {
        var (storage, weights, widened) = Stored(type, 7, 9, 33);
        using (storage)
        {
            weights.Shape.Should().Equal(9, 33);
            TestData.ShouldBeBitIdentical(weights.ToFloat32(), widened, "ToFloat32");
            var row = new float[33];
            weights.ReadRow(8, row);
            row.Should().Equal(widened.Row(8).ToArray());
            FluentActions.Invoking(() => weights.ReadRow(9, row)).Should().Throw<ArgumentOutOfRangeException>();
        }
    }

    [Fact]
    public void A_view_of_disposed_memory_throws_instead_of_reading_it()
    {
        var (storage, weights, _) = Stored(WeightType.BFloat16, 8, 4, 4);
        storage.Dispose();
        FluentActions.Invoking(() => new CpuBackend(1).MatMul(Tensor.Zeros(2, 4), weights, Tensor.Zeros(2, 4)))
            .Should().Throw<ObjectDisposedException>();
        FluentActions.Invoking(() => weights.ReadRow(0, new float[4])).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void The_output_must_not_be_the_weights()
    {
        var square = Tensor.Zeros(3, 3);
        FluentActions.Invoking(() => new CpuBackend(1).MatMul(Tensor.Zeros(3, 3), WeightMatrix.FromTensor(square), square))
            .Should().Throw<ArgumentException>();
    }
}
