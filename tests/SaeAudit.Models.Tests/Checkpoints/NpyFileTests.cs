using System.Buffers.Binary;
using System.Text;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;
using SaeAudit.Testing;

namespace SaeAudit.Models.Tests.Checkpoints;

public class NpyFileTests
{
    /// <summary>The len40 input of the arch fixtures, as their README lists it.</summary>
    private static readonly long[] Len40Ids =
    [
        82, 405, 77, 0, 157, 212, 42, 484, 5, 73, 475, 511, 92, 306, 245, 276, 283, 404, 381, 374,
        332, 184, 348, 75, 173, 383, 231, 498, 332, 212, 16, 405, 257, 24, 395, 96, 357, 306, 330, 4,
    ];

    [Fact]
    public void Int32Tokens_ReadWithShapeAndBosColumn()
    {
        var array = NpyFile.Read(Fixtures.Path("gpt2-tiny", "data", "eval_prose_tokens.npy"));

        array.DType.Should().Be("<i4");
        array.Shape.Should().Equal(713, 128);
        var tokens = array.ToInt32();
        tokens.Should().HaveCount(713 * 128);
        Enumerable.Range(0, 713).Select(row => tokens[row * 128]).Should().AllBeEquivalentTo(4095, "column 0 is always BOS");
        tokens.Should().OnlyContain(t => t >= 0 && t < 4096);
        array.ToInt64().Should().Equal(tokens.Select(t => (long)t));
    }

    [Fact]
    public void Int64Ids_MatchTheReadme()
    {
        var array = NpyFile.Read(Fixtures.Path("arch", "llama", "ref", "len40", "input_ids.npy"));

        array.DType.Should().Be("<i8");
        array.Shape.Should().Equal(40);
        array.ToInt64().Should().Equal(Len40Ids);
        array.ToInt32().Should().Equal(Len40Ids.Select(i => (int)i));
        NpyFile.Read(Fixtures.Path("arch", "llama", "ref", "len7", "input_ids.npy")).ToInt64().Should().Equal(Len40Ids[..7]);
    }

    [Fact]
    public void Float32Arrays_ReadWithShapesAndConsistentContents()
    {
        var logits = NpyFile.Read(Fixtures.Path("arch", "llama", "ref", "len40", "logits.npy")).ToFloat32();
        logits.Shape.Should().Equal(40, 512);
        logits.Data.Max(Math.Abs).Should().BeApproximately(3.114f, 0.001f, "the README's max |logit| for llama len40");

        // README: hidden_states[-1] == final_norm_output, and hidden_states_base_seq0 == hidden_states_base[0].
        var hidden = NpyFile.Read(Fixtures.Path("arch", "llama", "ref", "len40", "hidden_states.npy")).ToFloat32();
        hidden.Shape.Should().Equal(3, 40, 64);
        var finalNorm = NpyFile.Read(Fixtures.Path("arch", "llama", "ref", "len40", "final_norm_output.npy")).ToFloat32();
        hidden.Data[(2 * 40 * 64)..].Should().Equal(finalNorm.Data);

        var all = NpyFile.Read(Fixtures.Path("gpt2-tiny", "reference", "hidden_states_base.npy")).ToFloat32();
        all.Shape.Should().Equal(8, 5, 128, 128);
        var seq0 = NpyFile.Read(Fixtures.Path("gpt2-tiny", "reference", "hidden_states_base_seq0.npy")).ToFloat32();
        seq0.Shape.Should().Equal(5, 128, 128);
        all.Data[..seq0.Data.Length].Should().Equal(seq0.Data);
    }

    [Theory]
    [InlineData("gpt2-tiny/data/eval_prose_tokens.npy")]
    [InlineData("arch/llama/ref/len40/input_ids.npy")]
    [InlineData("arch/llama/ref/len1/input_ids.npy")]
    [InlineData("arch/llama/ref/len40/logits.npy")]
    [InlineData("gpt2-tiny/reference/hidden_states_base.npy")]
    public void Writing_ReproducesNumpysBytesExactly(string fixture)
    {
        using var dir = new TempDirectory();
        var original = Fixtures.Path(fixture.Split('/'));
        var array = NpyFile.Read(original);
        var shape = array.Shape.ToArray();
        var copy = dir.File("copy.npy");

        switch (array.DType)
        {
            case "<i4": NpyFile.WriteInt32(copy, array.ToInt32(), shape); break;
            case "<i8": NpyFile.WriteInt64(copy, array.ToInt64(), shape); break;
            default: NpyFile.Write(copy, array.ToFloat32()); break;
        }

        File.ReadAllBytes(copy).Should().Equal(File.ReadAllBytes(original));
    }

    [Fact]
    public void Writing_RoundTripsEdgeValuesAndShapes()
    {
        using var dir = new TempDirectory();
        float[] floats = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, 1.5f, -3.25e-30f];

        NpyFile.Write(dir.File("f.npy"), new Tensor(floats, 2, 4));
        NpyFile.WriteInt32(dir.File("i.npy"), [int.MinValue, 0, int.MaxValue], [3]);
        NpyFile.WriteInt64(dir.File("l.npy"), [long.MinValue, long.MaxValue], [1, 2, 1]);
        NpyFile.WriteFloat32(dir.File("scalar.npy"), [7f], []);
        NpyFile.WriteFloat32(dir.File("empty.npy"), [], [0, 3]);

        var f = NpyFile.Read(dir.File("f.npy")).ToFloat32();
        f.Shape.Should().Equal(2, 4);
        f.Data.Select(BitConverter.SingleToUInt32Bits).Should().Equal(floats.Select(BitConverter.SingleToUInt32Bits));
        NpyFile.Read(dir.File("i.npy")).ToInt32().Should().Equal(int.MinValue, 0, int.MaxValue);
        var l = NpyFile.Read(dir.File("l.npy"));
        l.Shape.Should().Equal(1, 2, 1);
        l.ToInt64().Should().Equal(long.MinValue, long.MaxValue);
        var scalar = NpyFile.Read(dir.File("scalar.npy"));
        scalar.Shape.Should().BeEmpty();
        scalar.ToFloat32().Data.Should().Equal(7f);
        NpyFile.Read(dir.File("empty.npy")).Shape.Should().Equal(0, 3);
        foreach (var file in Directory.GetFiles(dir.Path))
        {
            var bytes = File.ReadAllBytes(file);
            ((10 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8))) % 64).Should().Be(0, "numpy aligns the data to 64 bytes");
        }
    }

    [Fact]
    public void Writing_ReplacesAnExistingFileAndLeavesNoTemporaryFiles()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("out.npy"), "old content");

        NpyFile.WriteInt32(dir.File("out.npy"), [1, 2, 3], [3]);

        NpyFile.Read(dir.File("out.npy")).ToInt32().Should().Equal(1, 2, 3);
        Directory.GetFiles(dir.Path).Select(Path.GetFileName).Should().Equal("out.npy");
    }

    [Fact]
    public void Writing_RejectsAShapeThatDoesNotMatchTheData()
    {
        using var dir = new TempDirectory();

        FluentActions.Invoking(() => NpyFile.WriteInt32(dir.File("x.npy"), [1, 2, 3], [2, 2])).Should().Throw<ArgumentException>();
        Directory.GetFiles(dir.Path).Should().BeEmpty();
    }

    [Fact]
    public void Version2Headers_AreRead()
    {
        using var dir = new TempDirectory();
        var path = WriteNpy(dir.File("v2.npy"), "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", TestFiles.Bytes(0.5, -2.0), major: 2);

        var array = NpyFile.Read(path);

        array.DType.Should().Be("<f8");
        array.ToFloat32().Data.Should().Equal(0.5f, -2f);
    }

    [Fact]
    public void SmallIntegerAndHalfTypes_Convert()
    {
        using var dir = new TempDirectory();
        var u1 = NpyFile.Read(WriteNpy(dir.File("u1.npy"), "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", [0, 7, 255]));
        var f2 = NpyFile.Read(WriteNpy(dir.File("f2.npy"), "{'descr': '<f2', 'fortran_order': False, 'shape': (2L,), }",
            TestFiles.Bytes((Half)1.5, (Half)(-0.25))));

        u1.ToInt32().Should().Equal(0, 7, 255);
        f2.ToFloat32().Data.Should().Equal(1.5f, -0.25f);
    }

    // ---- bad input ----

    /// <summary>A .npy with the given header dict (padded as numpy pads) and raw data.</summary>
    private static string WriteNpy(string path, string dict, byte[] data, int major = 1)
    {
        var prefixLength = major == 1 ? 10 : 12;
        var padded = dict + new string(' ', 63 - (prefixLength + dict.Length) % 64) + "\n";
        var header = Encoding.ASCII.GetBytes(padded);
        using var stream = File.Create(path);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        var length = new byte[prefixLength - 8];
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)header.Length);
        stream.Write(length);
        stream.Write(header);
        stream.Write(data);
        return path;
    }

    private static void ShouldReject(string dict, byte[] data, params string[] fragments)
    {
        using var dir = new TempDirectory();
        var path = WriteNpy(dir.File("bad.npy"), dict, data);
        TestFiles.ShouldFailWith(() => NpyFile.Read(path), ["bad.npy", .. fragments]);
    }

    [Fact]
    public void FortranOrder_IsRejected() =>
        ShouldReject("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16], "fortran_order", "not supported");

    [Fact]
    public void BigEndian_IsRejected() =>
        ShouldReject("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", new byte[8], "descr", "big-endian");

    [Fact]
    public void UnsupportedDtype_IsRejected() =>
        ShouldReject("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", new byte[16], "descr", "'<c8' is not supported");

    [Fact]
    public void StructuredDtype_IsRejected() =>
        ShouldReject("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", new byte[8], "descr", "structured");

    [Fact]
    public void MissingShape_IsRejected() =>
        ShouldReject("{'descr': '<f4', 'fortran_order': False, }", new byte[8], "shape", "missing");

    [Fact]
    public void TruncatedData_IsRejected() =>
        ShouldReject("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", new byte[20], "shape", "needs 24 bytes", "truncated");

    [Fact]
    public void TrailingData_IsRejected() =>
        ShouldReject("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", new byte[12], "shape", "4 bytes follow");

    [Fact]
    public void BadMagic_IsRejected()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("bad.npy"), "not an npy file at all");

        TestFiles.ShouldFailWith(() => NpyFile.Read(dir.File("bad.npy")), "bad.npy", "magic");
    }

    [Fact]
    public void MissingFile_IsRejected()
    {
        using var dir = new TempDirectory();

        TestFiles.ShouldFailWith(() => NpyFile.Read(dir.File("absent.npy")), "absent.npy", "not found");
    }

    [Fact]
    public void Conversions_CheckTypeAndRange()
    {
        using var dir = new TempDirectory();
        var wide = NpyFile.Read(WriteNpy(dir.File("wide.npy"), "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }",
            TestFiles.Bytes(1L, 1L << 40)));
        var floats = NpyFile.Read(WriteNpy(dir.File("floats.npy"), "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
            TestFiles.Bytes(1f)));

        TestFiles.ShouldFailWith(() => wide.ToInt32(), "wide.npy", "element 1", "1099511627776", "int32");
        TestFiles.ShouldFailWith(() => wide.ToFloat32(), "wide.npy", "descr", "<i8");
        TestFiles.ShouldFailWith(() => floats.ToInt32(), "floats.npy", "descr", "<f4");
    }
}
