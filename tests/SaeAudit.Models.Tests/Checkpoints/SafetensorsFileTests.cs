using SaeAudit.Models.Checkpoints;
using SaeAudit.Testing;

namespace SaeAudit.Models.Tests.Checkpoints;

public class SafetensorsFileTests
{
    private static string Gpt2Model(string folder) => Fixtures.Path("gpt2-tiny", "models", folder, "model.safetensors");

    /// <summary>The key set and shapes the gpt2-tiny README documents.</summary>
    private static Dictionary<string, int[]> Gpt2TinyShapes()
    {
        var shapes = new Dictionary<string, int[]>
        {
            ["wte.weight"] = [4096, 128],
            ["wpe.weight"] = [256, 128],
            ["ln_f.weight"] = [128],
            ["ln_f.bias"] = [128],
        };
        for (var n = 0; n < 4; n++)
        {
            foreach (var ln in new[] { "ln_1", "ln_2" })
            {
                shapes[$"h.{n}.{ln}.weight"] = [128];
                shapes[$"h.{n}.{ln}.bias"] = [128];
            }
            shapes[$"h.{n}.attn.c_attn.weight"] = [128, 384];
            shapes[$"h.{n}.attn.c_attn.bias"] = [384];
            shapes[$"h.{n}.attn.c_proj.weight"] = [128, 128];
            shapes[$"h.{n}.attn.c_proj.bias"] = [128];
            shapes[$"h.{n}.mlp.c_fc.weight"] = [128, 512];
            shapes[$"h.{n}.mlp.c_fc.bias"] = [512];
            shapes[$"h.{n}.mlp.c_proj.weight"] = [512, 128];
            shapes[$"h.{n}.mlp.c_proj.bias"] = [128];
        }
        return shapes;
    }

    [Theory]
    [InlineData("base", SafetensorsDType.F32)]
    [InlineData("ft-heavy", SafetensorsDType.F32)]
    [InlineData("ft-light", SafetensorsDType.F32)]
    [InlineData("base-bf16", SafetensorsDType.BF16)]
    [InlineData("ft-heavy-bf16", SafetensorsDType.BF16)]
    public void Gpt2TinyModels_HaveTheDocumentedKeysShapesAndMetadata(string folder, SafetensorsDType dtype)
    {
        using var file = SafetensorsFile.Open(Gpt2Model(folder));

        var expected = Gpt2TinyShapes();
        file.Tensors.Keys.Should().BeEquivalentTo(expected.Keys);
        foreach (var (name, shape) in expected)
        {
            file.Tensors[name].Shape.Should().Equal(shape, name);
            file.Tensors[name].DType.Should().Be(dtype);
            file.LoadFloat32(name).Shape.Should().Equal(shape);
        }
        file.Tensors.Values.Sum(e => e.ElementCount).Should().Be(1350400);
        file.Metadata.Should().Equal(new Dictionary<string, string> { ["format"] = "pt" });
    }

    [Theory]
    [InlineData("base", "base-bf16")]
    [InlineData("ft-heavy", "ft-heavy-bf16")]
    public void Bf16Gpt2Tiny_WidensToTheRoundedFloat32Weights(string f32Folder, string bf16Folder)
    {
        using var f32 = SafetensorsFile.Open(Gpt2Model(f32Folder));
        using var bf16 = SafetensorsFile.Open(Gpt2Model(bf16Folder));

        foreach (var name in f32.Tensors.Keys)
        {
            var exact = f32.LoadFloat32(name).Data;
            var widened = bf16.LoadFloat32(name).Data;
            widened.Should().HaveSameCount(exact);
            for (var i = 0; i < exact.Length; i++)
                if (widened[i] != TestFiles.RoundToBFloat16(exact[i]))
                    Assert.Fail($"{name}[{i}]: bf16 file widens to {widened[i]:R}, RNE(f32 {exact[i]:R}) = {TestFiles.RoundToBFloat16(exact[i]):R}");
        }
    }

    [Theory]
    [InlineData("base")]
    [InlineData("base-bf16")]
    public void RangedReads_EqualTheSameElementsOfTheWholeTensor(string folder)
    {
        using var file = SafetensorsFile.Open(Gpt2Model(folder));
        var whole = file.LoadFloat32("wte.weight").Data;
        foreach (var (start, count) in new[] { (0, 1), (1, 127), (4095 * 128, 128), (1000, 70_000), (0, whole.Length) })
        {
            var part = new float[count];
            file.ReadFloat32("wte.weight", start, part);
            part.Should().Equal(whole.AsSpan(start, count).ToArray(), $"elements [{start}, {start + count})");
        }
        FluentActions.Invoking(() => file.ReadFloat32("wte.weight", whole.Length - 1, new float[2]))
            .Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => file.ReadFloat32("wte.weight", -1, new float[1]))
            .Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void RawSpan_ExposesBf16BitsInPlace()
    {
        using var bf16 = SafetensorsFile.Open(Gpt2Model("base-bf16"));

        var bits = bf16.RawSpan<ushort>("ln_f.weight");
        var widened = bf16.LoadFloat32("ln_f.weight").Data;

        bits.Length.Should().Be(128);
        for (var i = 0; i < bits.Length; i++)
            BitConverter.SingleToUInt32Bits(widened[i]).Should().Be((uint)bits[i] << 16);
        bf16.RawBytes("ln_f.weight").Length.Should().Be(256);
        FluentActions.Invoking(() => bf16.RawSpan<float>("ln_f.weight").Length).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void F16_WidensEveryBitPatternExactly()
    {
        using var dir = new TempDirectory();
        var patterns = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();
        TestFiles.WriteSafetensors(dir.File("f16.safetensors"), ("h", "F16", [256, 256], TestFiles.Bytes(patterns)));

        using var file = SafetensorsFile.Open(dir.File("f16.safetensors"));
        var values = file.LoadFloat32("h");

        values.Shape.Should().Equal(256, 256);
        for (var i = 0; i < patterns.Length; i++)
        {
            var expected = HalfBitsToDouble(patterns[i]);
            var actual = values.Data[i];
            if (double.IsNaN(expected)) float.IsNaN(actual).Should().BeTrue($"pattern {i:X4} is NaN");
            else if (BitConverter.SingleToUInt32Bits(actual) != BitConverter.SingleToUInt32Bits((float)expected))
                Assert.Fail($"pattern {i:X4}: got {actual:R}, expected {expected:R}");
        }
    }

    /// <summary>IEEE binary16 decoded from its definition (independent of <see cref="Half"/>).</summary>
    private static double HalfBitsToDouble(ushort bits)
    {
        var sign = (bits & 0x8000) != 0 ? -1.0 : 1.0;
        var exponent = (bits >> 10) & 0x1F;
        var mantissa = bits & 0x3FF;
        return exponent switch
        {
            0 => sign * mantissa * Math.Pow(2, -24),
            0x1F => mantissa == 0 ? sign * double.PositiveInfinity : double.NaN,
            _ => sign * (1 + mantissa / 1024.0) * Math.Pow(2, exponent - 15),
        };
    }

    [Fact]
    public void Bf16_WidensEveryBitPatternByShifting()
    {
        using var dir = new TempDirectory();
        var patterns = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();
        TestFiles.WriteSafetensors(dir.File("bf16.safetensors"), ("b", "BF16", [65536], TestFiles.Bytes(patterns)));

        using var file = SafetensorsFile.Open(dir.File("bf16.safetensors"));
        var values = file.LoadFloat32("b").Data;

        for (var i = 0; i < patterns.Length; i++)
            BitConverter.SingleToUInt32Bits(values[i]).Should().Be((uint)i << 16);
    }

    [Fact]
    public void LargeTensors_ConvertInParallelChunksWithTheSameResult()
    {
        using var dir = new TempDirectory();
        const int count = 3 * (1 << 20) + 5; // several chunks plus a ragged tail
        var random = new Random(7);
        var bf16 = new ushort[count];
        var f16 = new Half[count];
        var f32 = new float[count];
        for (var i = 0; i < count; i++)
        {
            bf16[i] = (ushort)random.Next(65536);
            f16[i] = BitConverter.UInt16BitsToHalf((ushort)random.Next(65536));
            f32[i] = random.NextSingle() * 2 - 1;
        }
        TestFiles.WriteSafetensors(dir.File("big.safetensors"),
            ("bf16", "BF16", [count], TestFiles.Bytes(bf16)),
            ("f16", "F16", [count], TestFiles.Bytes(f16)),
            ("f32", "F32", [count], TestFiles.Bytes(f32)));

        using var file = SafetensorsFile.Open(dir.File("big.safetensors"));
        var wideBf16 = file.LoadFloat32("bf16").Data;
        var wideF16 = file.LoadFloat32("f16").Data;
        file.LoadFloat32("f32").Data.Should().Equal(f32);
        for (var i = 0; i < count; i++)
        {
            if (BitConverter.SingleToUInt32Bits(wideBf16[i]) != (uint)bf16[i] << 16) Assert.Fail($"bf16[{i}]");
            var expected = (float)f16[i];
            if (float.IsNaN(expected) ? !float.IsNaN(wideF16[i]) : BitConverter.SingleToUInt32Bits(wideF16[i]) != BitConverter.SingleToUInt32Bits(expected))
                Assert.Fail($"f16[{i}]: {wideF16[i]:R} vs {expected:R}");
        }
    }

    [Fact]
    public void F64_RoundsToNearestFloat32()
    {
        using var dir = new TempDirectory();
        double[] values = [0.1, -1e-40, 1e40, Math.PI, 0, -0.0];
        TestFiles.WriteSafetensors(dir.File("f64.safetensors"), ("d", "F64", [2, 3], TestFiles.Bytes(values)));

        using var file = SafetensorsFile.Open(dir.File("f64.safetensors"));

        file.LoadFloat32("d").Data.Should().Equal(values.Select(v => (float)v));
    }

    [Fact]
    public void IntegerTensors_LoadAsInt32AndInt64WithRangeChecks()
    {
        using var dir = new TempDirectory();
        var path = TestFiles.WriteSafetensors(dir.File("ints.safetensors"),
            ("i32", "I32", [2, 2], TestFiles.Bytes(1, -2, int.MaxValue, int.MinValue)),
            ("i64", "I64", [3], TestFiles.Bytes(5L, -6L, 1L << 40)),
            ("u8", "U8", [3], [0, 128, 255]),
            ("i16", "I16", [2], TestFiles.Bytes((short)-300, (short)300)),
            ("f", "F32", [1], TestFiles.Bytes(1f)));

        using var file = SafetensorsFile.Open(path);

        file.LoadInt32("i32").Should().Equal(1, -2, int.MaxValue, int.MinValue);
        file.LoadInt64("i64").Should().Equal(5L, -6L, 1L << 40);
        file.LoadInt32("u8").Should().Equal(0, 128, 255);
        file.LoadInt64("i16").Should().Equal(-300L, 300L);
        TestFiles.ShouldFailWith(() => file.LoadInt32("i64"), "ints.safetensors", "'i64'", "element 2", "int32");
        TestFiles.ShouldFailWith(() => file.LoadInt32("f"), "ints.safetensors", "'f'", "F32");
        TestFiles.ShouldFailWith(() => file.LoadFloat32("i32"), "ints.safetensors", "'i32'", "I32");
    }

    [Fact]
    public void EmptyAndScalarTensors_AreValid()
    {
        using var dir = new TempDirectory();
        var path = TestFiles.WriteSafetensors(dir.File("edge.safetensors"),
            ("empty", "F32", [0, 4], []),
            ("scalar", "F32", [], TestFiles.Bytes(2.5f)));

        using var file = SafetensorsFile.Open(path);

        file.LoadFloat32("empty").Shape.Should().Equal(0, 4);
        file.LoadFloat32("empty").Length.Should().Be(0);
        var scalar = file.LoadFloat32("scalar");
        scalar.Rank.Should().Be(0);
        scalar.Data.Should().Equal(2.5f);
    }

    [Fact]
    public void HeaderWithNoTensors_IsValid()
    {
        using var dir = new TempDirectory();
        using var file = SafetensorsFile.Open(TestFiles.WriteSafetensors(dir.File("none.safetensors"), "{\"__metadata__\":{\"k\":\"v\"}}  "));

        file.Tensors.Should().BeEmpty();
        file.Metadata["k"].Should().Be("v");
    }

    [Fact]
    public void Disposed_RefusesToRead()
    {
        var file = SafetensorsFile.Open(Gpt2Model("base"));
        file.Dispose();

        FluentActions.Invoking(() => file.LoadFloat32("ln_f.bias")).Should().Throw<ObjectDisposedException>();
        FluentActions.Invoking(() => file.RawBytes("ln_f.bias").Length).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void MissingTensor_NamesFileAndTensor() =>
        TestFiles.ShouldFailWith(() =>
        {
            using var file = SafetensorsFile.Open(Gpt2Model("base"));
            file.LoadFloat32("lm_head.weight");
        }, "model.safetensors", "'lm_head.weight'", "not found");

    // ---- bad input: each is an InvalidInputException naming the file and the field or tensor ----

    private static void ShouldRejectHeader(string header, byte[] data, params string[] fragments)
    {
        using var dir = new TempDirectory();
        var path = TestFiles.WriteSafetensors(dir.File("bad.safetensors"), header, data);
        TestFiles.ShouldFailWith(() => SafetensorsFile.Open(path).Dispose(), ["bad.safetensors", .. fragments]);
    }

    [Fact]
    public void FileShorterThan8Bytes_IsRejected()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("tiny.safetensors"), [1, 2, 3, 4, 5]);

        TestFiles.ShouldFailWith(() => SafetensorsFile.Open(dir.File("tiny.safetensors")), "tiny.safetensors", "header length", "5 bytes");
    }

    [Fact]
    public void EmptyFile_IsRejected()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("empty.safetensors"), []);

        TestFiles.ShouldFailWith(() => SafetensorsFile.Open(dir.File("empty.safetensors")), "empty.safetensors", "header length");
    }

    [Fact]
    public void HeaderLengthBeyondFile_IsRejected()
    {
        using var dir = new TempDirectory();
        var bytes = new byte[40];
        bytes[0] = 200; // claims a 200-byte header in a 40-byte file
        File.WriteAllBytes(dir.File("bad.safetensors"), bytes);

        TestFiles.ShouldFailWith(() => SafetensorsFile.Open(dir.File("bad.safetensors")), "bad.safetensors", "header length", "200", "past the end");
    }

    [Fact]
    public void AbsurdHeaderLength_IsRejected()
    {
        using var dir = new TempDirectory();
        var bytes = Enumerable.Repeat((byte)0xFF, 64).ToArray();
        File.WriteAllBytes(dir.File("bad.safetensors"), bytes);

        TestFiles.ShouldFailWith(() => SafetensorsFile.Open(dir.File("bad.safetensors")), "bad.safetensors", "header length", "not plausible");
    }

    [Fact]
    public void HeaderNotJson_IsRejected() =>
        ShouldRejectHeader("{\"w\": {\"dtype\": \"F32\",", [], "header", "not valid JSON");

    [Fact]
    public void HeaderNotAnObject_IsRejected() =>
        ShouldRejectHeader("[1, 2, 3]", [], "header", "expected an object");

    [Theory]
    [InlineData("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "missing \"dtype\"")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", "missing \"shape\"")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", "missing \"data_offsets\"")]
    [InlineData("{\"w\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", "\"dtype\" is a JSON number")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", "\"shape\" is a JSON string")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "\"shape\" entry 0 is -2")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,16]}}", "expected [begin, end]")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,\"8\"]}}", "not a non-negative integer")]
    [InlineData("{\"w\":[1,2]}", "expected an object with dtype, shape, data_offsets")]
    public void MalformedTensorEntry_IsRejected(string header, string problem) =>
        ShouldRejectHeader(header, new byte[8], "'w'", problem);

    [Fact]
    public void UnknownDtype_IsRejected() =>
        ShouldRejectHeader("{\"w\":{\"dtype\":\"Q4_K\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8],
            "'w'", "unknown dtype \"Q4_K\"", "BF16");

    [Fact]
    public void OffsetsBeginAfterEnd_AreRejected() =>
        ShouldRejectHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", new byte[8], "'w'", "begin > end");

    [Fact]
    public void OffsetsOutOfRange_AreRejected() =>
        ShouldRejectHeader(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
            new byte[8], "'b'", "[8, 16]", "past the end of the data section (8 bytes)");

    [Fact]
    public void OverlappingOffsets_AreRejected() =>
        ShouldRejectHeader(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
            new byte[12], "'b'", "overlap tensor 'a'");

    [Fact]
    public void GapBetweenTensors_IsRejectedAsNotContiguous() =>
        ShouldRejectHeader(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}",
            new byte[20], "'b'", "not contiguous", "gap of 4 bytes");

    [Fact]
    public void TrailingBytes_AreRejected() =>
        ShouldRejectHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[12],
            "data section", "4 bytes after the last tensor");

    [Fact]
    public void ByteLengthNotMatchingShape_IsRejected() =>
        ShouldRejectHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8],
            "'w'", "span 8 bytes", "F32 [3] needs 12");

    [Fact]
    public void DuplicateTensorName_IsRejected() =>
        ShouldRejectHeader(
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
            new byte[8], "'w'", "appears twice");

    [Fact]
    public void MetadataWithNonStringValue_IsRejected() =>
        ShouldRejectHeader("{\"__metadata__\":{\"format\":1}}", [], "__metadata__.format", "expected a string");

    [Fact]
    public void FileShorterThanHeaderSays_IsRejected()
    {
        using var dir = new TempDirectory();
        var original = Gpt2Model("base");
        string lastTensor;
        using (var intact = SafetensorsFile.Open(original))
            lastTensor = intact.Tensors.Values.MaxBy(e => e.End)!.Name;
        var bytes = File.ReadAllBytes(original);
        File.WriteAllBytes(dir.File("model.safetensors"), bytes[..^1000]);

        TestFiles.ShouldFailWith(() => SafetensorsFile.Open(dir.File("model.safetensors")),
            dir.File("model.safetensors"), $"'{lastTensor}'", "truncated");
    }
}
