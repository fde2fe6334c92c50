using System.Text;
using SaeAudit.Testing;

namespace SaeAudit.Reporting.Tests.Snapshots;

/// <summary>Snapshot assertions in Verify's file convention: the expected text lives in
/// <c>&lt;folder&gt;/&lt;name&gt;.verified.&lt;ext&gt;</c>; on a mismatch (or when it is missing) the actual text is written
/// beside it as <c>&lt;name&gt;.received.&lt;ext&gt;</c> (git-ignored) and the test fails naming the first differing line.
/// With <c>SAEAUDIT_ACCEPT_SNAPSHOTS=1</c> the verified file is overwritten instead and the test passes.
/// The folder is relative to the repository root, not taken from [CallerFilePath], because CI builds map source
/// paths to "/_/". Line endings are normalised to \n on both sides.</summary>
public static class Snapshot
{
    public const string AcceptVariable = "SAEAUDIT_ACCEPT_SNAPSHOTS";

    /// <param name="actual">the text produced by the code under test</param>
    /// <param name="folder">repository-relative folder of the verified file, e.g.
    /// "tests/SaeAudit.Reporting.Tests/Charts/Verified" (an absolute path is used as it is)</param>
    /// <param name="name">file name without extension, e.g. "light-cos-histogram"</param>
    /// <param name="extension">without the dot: "svg", "md", "xml"</param>
    public static void Match(string actual, string folder, string name, string extension = "txt")
    {
        var directory = Path.Combine(Fixtures.RepoRoot, folder);
        var verifiedPath = Path.Combine(directory, $"{name}.verified.{extension}");
        var receivedPath = Path.Combine(directory, $"{name}.received.{extension}");
        var received = Normalise(actual);
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verifiedPath, received, utf8);
            File.Delete(receivedPath);
            return;
        }

        if (File.Exists(verifiedPath))
        {
            var verified = Normalise(File.ReadAllText(verifiedPath));
            if (verified == received)
            {
                File.Delete(receivedPath); // a leftover from an earlier failure
                return;
            }
            Directory.CreateDirectory(directory);
            File.WriteAllText(receivedPath, received, utf8);
            Assert.Fail($"Snapshot {Relative(verifiedPath)} differs. {FirstDifference(verified, received)}\n" +
                $"The output was written to {Relative(receivedPath)}; if the change is intended, run the tests with " +
                $"{AcceptVariable}=1 or move it over the verified file.");
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(receivedPath, received, utf8);
        Assert.Fail($"No snapshot {Relative(verifiedPath)} yet. The output was written to {Relative(receivedPath)}; " +
            $"review it, then run the tests with {AcceptVariable}=1 or rename it to .verified.{extension}.");
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n');

    /// <summary>"Line 12:\n  verified: …\n  received: …" for the first line that differs.</summary>
    internal static string FirstDifference(string verified, string received)
    {
        var expected = verified.Split('\n');
        var actual = received.Split('\n');
        var common = Math.Min(expected.Length, actual.Length);
        var line = 0;
        while (line < common && expected[line] == actual[line]) line++;
        string Show(string[] lines) => line < lines.Length ? Clip(lines[line]) : "(end of file)";
        return $"First difference at line {line + 1} of {expected.Length} verified / {actual.Length} received:\n" +
            $"  verified: {Show(expected)}\n  received: {Show(actual)}";
    }

    private static string Clip(string line) => line.Length <= 200 ? line : line[..200] + "…";

    private static string Relative(string path) => Path.GetRelativePath(Fixtures.RepoRoot, path).Replace('\\', '/');
}
