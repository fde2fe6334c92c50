using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using SaeAudit.Tensors;

namespace SaeAudit.Evaluation.Results;

/// <summary>Reads the facts of the environment block and hashes input files.</summary>
public static class EnvironmentProbe
{
    public static string ToolVersion { get; } =
        typeof(EnvironmentProbe).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            .Split('+')[0] ?? "0.0.0";

    public static EnvironmentInfo Describe(IComputeBackend backend) => new(
        ToolVersion,
        RuntimeInformation.FrameworkDescription,
        RuntimeInformation.OSDescription,
        CpuModel(),
        RuntimeInformation.ProcessArchitecture.ToString(),
        Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : Vector128.IsHardwareAccelerated ? "SSE/NEON" : "scalar",
        backend.Name);

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string CpuModel()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (File.Exists(cpuInfo))
        {
            var line = File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
