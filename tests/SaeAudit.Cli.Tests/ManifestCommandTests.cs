using SaeAudit.Testing;

namespace SaeAudit.Cli.Tests;

public class ValidateTests
{
    [Fact]
    public async Task Demo_manifest_is_valid_and_shows_both_pairs_and_the_canonical_hash()
    {
        var result = await Cli.RunAsync("validate", Path.Combine(Fixtures.RepoRoot, "manifests", "demo.json"));

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        result.Stderr.Should().BeEmpty();
        result.Stdout.Should().Contain("valid, schema_version 1, 2 pairs");
        result.Stdout.Should().Contain("  light: base ").And.Contain("ft-light");
        result.Stdout.Should().Contain("  code: base ").And.Contain("ft-heavy");
        result.Stdout.Should().MatchRegex("canonical hash: [0-9a-f]{64}");
    }

    [Fact]
    public async Task Invalid_manifest_exits_2_naming_the_file()
    {
        using var temp = new TempFolder();
        var manifest = AuditManifests.TwoPairs();
        manifest.Defaults()["context_size"] = "long";

        var result = await Cli.RunAsync("validate", manifest.Write(temp));

        result.ShouldBeInvalidInput("audit.json");
        result.Stderr.Should().Contain("context_size");
    }
}

[Collection(nameof(CurrentDirectoryCollection))]
public class InitTests
{
    [Fact]
    public async Task Writes_a_starter_that_validates_from_the_repository_root_and_never_overwrites()
    {
        using var temp = new TempFolder();
        using var _ = new CurrentDirectory(Fixtures.RepoRoot);
        var path = temp["saeaudit.json"];

        var init = await Cli.RunAsync("init", path);
        var validate = await Cli.RunAsync("validate", path);
        var written = File.ReadAllText(path);
        var again = await Cli.RunAsync("init", path);

        init.ExitCode.Should().Be(ExitCodes.Ok, init.Stderr);
        init.Stdout.Should().Contain($"wrote {path}").And.Contain($"saeaudit run {path}").And.NotContain("note:");
        validate.ExitCode.Should().Be(ExitCodes.Ok, validate.Stderr);
        validate.Stdout.Should().Contain("2 pairs");
        again.ShouldBeInvalidInput("saeaudit.json");
        again.Stderr.Should().Contain("already exists");
        File.ReadAllText(path).Should().Be(written);
    }

    [Fact]
    public async Task Default_path_is_saeaudit_json_in_the_current_folder()
    {
        using var temp = new TempFolder();
        using var _ = new CurrentDirectory(temp.Path);

        var result = await Cli.RunAsync("init");

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        File.Exists(temp["saeaudit.json"]).Should().BeTrue();
        // Away from the repository the demo models are not there to point at; init says so.
        result.Stdout.Should().Contain("note: samples/gpt2-tiny is not under the current folder");
    }
}
