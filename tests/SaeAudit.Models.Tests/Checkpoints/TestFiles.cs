using System.Buffers.Binary;
using System.Text;

namespace SaeAudit.Models.Tests.Checkpoints;

/// <summary>A unique folder under the system temp directory, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "saeaudit-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Builders for hand-made (often deliberately broken) input files.</summary>
internal static class TestFiles
{
    /// <summary>8-byte little-endian header length, the header text as given, then <paramref name="data"/>.</summary>
    public static string WriteSafetensors(string path, string header, byte[]? data = null)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + (data?.Length ?? 0)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        data?.CopyTo(bytes, 8 + headerBytes.Length);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A valid file: tensors stored back to back in the given order.</summary>
    public static string WriteSafetensors(string path, params (string Name, string DType, int[] Shape, byte[] Data)[] tensors)
    {
        var entries = new List<string>();
        var data = new MemoryStream();
        foreach (var (name, dtype, shape, bytes) in tensors)
        {
            var begin = data.Length;
            data.Write(bytes);
            entries.Add($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{begin},{data.Length}]}}");
        }
        return WriteSafetensors(path, "{" + string.Join(",", entries) + "}", data.ToArray());
    }

    public static byte[] Bytes<T>(params T[] values) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    /// <summary>Asserts bad input: an <see cref="InvalidInputException"/> whose message names every fragment
    /// (the file, the field or tensor, the problem).</summary>
    public static void ShouldFailWith(Action act, params string[] fragments)
    {
        var message = act.Should().Throw<InvalidInputException>().Which.Message;
        foreach (var fragment in fragments) message.Should().Contain(fragment);
        message.Should().NotContain("\n", "the CLI prints it as one line");
    }

    /// <summary>float32 → bfloat16 with round-to-nearest-even, as the fixture README defines it (no NaN occurs).</summary>
    public static float RoundToBFloat16(float value)
    {
        var u = BitConverter.SingleToUInt32Bits(value);
        var rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16;
        return BitConverter.UInt32BitsToSingle(rounded << 16);
    }
}
