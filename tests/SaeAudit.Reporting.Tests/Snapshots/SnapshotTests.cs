namespace SaeAudit.Reporting.Tests.Snapshots;

public sealed class SnapshotTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("saeaudit-snapshot-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static bool Accepting => Environment.GetEnvironmentVariable(Snapshot.AcceptVariable) == "1";

    [Fact]
    public void Matching_text_passes_whatever_the_line_endings_and_removes_a_stale_received_file()
    {
        File.WriteAllText(Path.Combine(_folder, "s.verified.txt"), "a\r\nb\n");
        File.WriteAllText(Path.Combine(_folder, "s.received.txt"), "old");

        Snapshot.Match("a\nb\r\n", _folder, "s");

        File.Exists(Path.Combine(_folder, "s.received.txt")).Should().BeFalse();
    }

    [Fact]
    public void A_difference_fails_naming_the_first_differing_line_and_writes_the_received_file()
    {
        if (Accepting) return; // accept mode overwrites instead of failing, by design
        File.WriteAllText(Path.Combine(_folder, "s.verified.svg"), "same\nold line\nend\n");

        var match = () => Snapshot.Match("same\nnew line\nend\n", _folder, "s", "svg");

        match.Should().Throw<Exception>().Which.Message.Should()
            .Contain("line 2").And.Contain("verified: old line").And.Contain("received: new line");
        File.ReadAllText(Path.Combine(_folder, "s.received.svg")).Should().Be("same\nnew line\nend\n");
    }

    [Fact]
    public void A_missing_snapshot_fails_and_writes_the_received_file()
    {
        if (Accepting) return;

        var match = () => Snapshot.Match("text", _folder, "new", "md");

        match.Should().Throw<Exception>().Which.Message.Should().Contain("No snapshot");
        File.ReadAllText(Path.Combine(_folder, "new.received.md")).Should().Be("text");
    }

    [Fact]
    public void First_difference_reports_a_shorter_file()
    {
        Snapshot.FirstDifference("a\nb", "a").Should().Contain("line 2").And.Contain("received: (end of file)");
    }
}
