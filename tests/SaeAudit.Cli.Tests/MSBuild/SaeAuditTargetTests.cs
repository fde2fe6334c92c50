using System.IO.Compression;
using System.Security;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using SaeAudit.Evaluation.Results;
using SaeAudit.Reporting;
using SaeAudit.Testing;

namespace SaeAudit.Cli.Tests.MSBuild;

/// <summary>The SaeAudit.MSBuild package's <c>SaeAudit</c> target, run by a real <c>dotnet msbuild</c> on a sample
/// project that imports the targets from the source tree and starts the CLI this test project was built with.</summary>
public class SaeAuditTargetTests
{
    private static readonly string MSBuildFolder = Path.Combine(Fixtures.RepoRoot, "src", "SaeAudit.MSBuild");
    private static readonly string Targets = Path.Combine(MSBuildFolder, "build", "SaeAudit.MSBuild.targets");

    /// <summary>The CLI, copied beside the tests because this project references it.</summary>
    private static readonly string CliDll = Path.Combine(AppContext.BaseDirectory, "saeaudit.dll");

    [Fact]
    public async Task A_failed_gate_is_a_build_error_naming_manifest_pair_metric_value_and_bound()
    {
        using var temp = new TempFolder();
        WriteSample(temp);

        var (exitCode, output) = await DotnetProcess.RunAsync(temp.Path, "msbuild", "sample.proj", "-t:SaeAudit", "-nologo");

        exitCode.Should().NotBe(0, output);
        var results = ResultsJson.Read(temp["obj/saeaudit/results.json"]);
        var similarity = results.Pairs.Single().Gates.Single(g => g.Metric == AuditManifests.SimilarityGate);
        output.Should().Contain(
            $"{temp["audit.json"]} : error SAEAUDIT001: pair 'code': {AuditManifests.SimilarityGate} = " +
            $"{NumberFormat.Format(similarity.Value!.Value)}, expected ≥ 0.8");
        output.Should().NotContain("SAEAUDIT001: pair 'code': finetune.ce.score", "that gate passes");
        File.Exists(temp["obj/saeaudit/report.md"]).Should().BeTrue();
        File.Exists(temp["obj/saeaudit/report.pdf"]).Should().BeTrue();
    }

    [Fact]
    public async Task Not_failing_on_gates_makes_them_warnings_and_the_build_succeeds()
    {
        using var temp = new TempFolder();
        WriteSample(temp);

        var (exitCode, output) = await DotnetProcess.RunAsync(temp.Path,
            "msbuild", "sample.proj", "-t:SaeAudit", "-nologo", "-p:SaeAuditFailOnGate=false", "-p:SaeAuditArguments=--no-report");

        exitCode.Should().Be(0, output);
        output.Should().Contain($"{temp["audit.json"]} : warning SAEAUDIT001: pair 'code': {AuditManifests.SimilarityGate} = ");
        output.Should().NotContain(": error ");
        Directory.EnumerateFileSystemEntries(temp["obj/saeaudit"]).Select(Path.GetFileName).Should().Equal("results.json");
    }

    [Fact]
    public async Task Invalid_input_is_a_build_error_either_way()
    {
        using var temp = new TempFolder();
        WriteSample(temp);
        File.Delete(temp["audit.json"]);

        var (exitCode, output) = await DotnetProcess.RunAsync(temp.Path,
            "msbuild", "sample.proj", "-t:SaeAudit", "-nologo", "-p:SaeAuditFailOnGate=false");

        exitCode.Should().NotBe(0, output);
        output.Should().Contain($"{temp["audit.json"]} : error SAEAUDIT002: {temp["audit.json"]}: manifest not found");
    }

    [Fact]
    public async Task A_missing_manifest_property_is_a_build_error()
    {
        using var temp = new TempFolder();
        WriteSample(temp);

        var (exitCode, output) = await DotnetProcess.RunAsync(temp.Path, "msbuild", "sample.proj", "-t:SaeAudit", "-nologo", "-p:SaeAuditManifest=");

        exitCode.Should().NotBe(0, output);
        output.Should().Contain("error SAEAUDIT000: SaeAudit: set SaeAuditManifest");
    }

    [Fact]
    public async Task The_package_holds_the_targets_only_as_a_development_dependency()
    {
        using var temp = new TempFolder();

        // Its own obj/ and bin/, so the pack never touches (or races with a build of) the source tree's.
        var (exitCode, output) = await DotnetProcess.RunAsync(temp.Path, "pack", MSBuildFolder, "-c", "Release", "-nologo",
            "-o", temp["nupkg"], $"-p:BaseIntermediateOutputPath={temp["obj"]}/", $"-p:BaseOutputPath={temp["bin"]}/");

        exitCode.Should().Be(0, output);
        using var package = ZipFile.OpenRead(temp["nupkg/SaeAudit.MSBuild.0.1.0.nupkg"]);
        var files = package.Entries.Select(e => e.FullName).ToList();
        files.Should().Contain("build/SaeAudit.MSBuild.targets").And.NotContain(f => f.StartsWith("lib/"));
        using (var packed = new StreamReader(package.GetEntry("build/SaeAudit.MSBuild.targets")!.Open()))
            packed.ReadToEnd().Should().Be(File.ReadAllText(Targets));
        using var nuspec = package.GetEntry("SaeAudit.MSBuild.nuspec")!.Open();
        var metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        metadata.Elements().Single(e => e.Name.LocalName == "developmentDependency").Value.Should().Be("true");
        metadata.Elements().Should().NotContain(e => e.Name.LocalName == "dependencies");
    }

    /// <summary>A project without an SDK (nothing to restore) that imports the targets, and a one-pair manifest with
    /// a gate the code finetune fails (activation similarity ≈ 0.4) and one it passes (CE loss recovered ≈ 1.1).</summary>
    private static void WriteSample(TempFolder temp)
    {
        var manifest = AuditManifests.TwoPairs();
        var defaults = manifest.Defaults();
        defaults["n_tokens"] = 1024;
        defaults["gates"] = new JsonArray(
            new JsonObject { ["metric"] = AuditManifests.SimilarityGate, ["min"] = 0.8 },
            new JsonObject { ["metric"] = "finetune.ce.score", ["min"] = 0.5 });
        manifest["pairs"] = new JsonArray(new JsonObject { ["name"] = "code", ["finetune"] = AuditManifests.Model("ft-heavy") });
        manifest.Write(temp);

        var command = $"\"{DotnetProcess.Executable}\" \"{CliDll}\"";
        File.WriteAllText(temp["sample.proj"], $"""
            <Project>
              <PropertyGroup>
                <SaeAuditManifest>audit.json</SaeAuditManifest>
                <SaeAuditCommand>{SecurityElement.Escape(command)}</SaeAuditCommand>
              </PropertyGroup>
              <Import Project="{SecurityElement.Escape(Targets)}" />
            </Project>
            """);
    }
}
