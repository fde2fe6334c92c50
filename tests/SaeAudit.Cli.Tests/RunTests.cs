using System.Text.Json.Nodes;
using SaeAudit.Evaluation.Results;
using SaeAudit.Reporting;

namespace SaeAudit.Cli.Tests;

public class RunTests
{
    [Fact]
    public async Task Writes_results_prints_both_pairs_and_exits_1_when_a_gate_fails()
    {
        using var temp = new TempFolder();
        var manifest = AuditManifests.TwoPairs().Write(temp);

        var result = await Cli.RunAsync("run", manifest, "--out", temp["out"]);

        result.ExitCode.Should().Be(ExitCodes.GateFailed, result.Stderr);
        var results = ResultsJson.Read(temp["out/results.json"]);
        results.Passed.Should().BeFalse();
        results.Pairs.Select(p => p.Name).Should().Equal("light", "code");
        var code = results.Pairs[1].Gates.Should().ContainSingle().Subject;
        code.Passed.Should().BeFalse();

        // Redirected output: Markdown tables, no ANSI codes, the headline rows for both pairs.
        result.Stdout.Should().NotContain("\u001b");
        result.Stdout.Should().Contain("light: base -> ft-light").And.Contain("code: base -> ft-heavy");
        result.Stdout.Split('\n').Count(line => line.StartsWith("| L0 ")).Should().Be(2);
        result.Stdout.Should().Contain("| CE score ").And.Contain("| KL score ").And.Contain("| dead features ");
        result.Stdout.Should().Contain("light: PASS (1/1 gates)");
        result.Stdout.Should().Contain(
            $"code: FAIL (1 of 1 gates failed: {AuditManifests.SimilarityGate} = {NumberFormat.Format(code.Value!.Value)} < 0.8)");
        result.Stdout.Should().Contain("overall: FAIL (1 of 2 pairs failed)");
        result.Stdout.Should().Contain($"results: {temp["out/results.json"]}");
        result.Stdout.Should().MatchRegex(@"environment: saeaudit \S+, .+, \d+ threads, wall \S+ s, \S+ tokens/s");

        // Progress goes to stderr as log lines, never to stdout.
        result.Stderr.Should().Contain("light: started").And.Contain("code: finished in");
        result.Stdout.Should().NotContain("started");
    }

    [Fact]
    public async Task Selected_pairs_that_pass_every_gate_exit_0()
    {
        using var temp = new TempFolder();
        var manifest = AuditManifests.TwoPairs().Write(temp);

        var result = await Cli.RunAsync("run", manifest, "--out", temp["out"], "--pair", "light");

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        ResultsJson.Read(temp["out/results.json"]).Pairs.Should().ContainSingle().Which.Name.Should().Be("light");
        result.Stdout.Should().Contain("light: PASS (1/1 gates)").And.Contain("overall: PASS (1/1 pairs)");
    }

    [Fact]
    public async Task Unknown_pair_name_exits_2_naming_the_manifest()
    {
        using var temp = new TempFolder();
        var manifest = AuditManifests.TwoPairs().Write(temp);

        var result = await Cli.RunAsync("run", manifest, "--out", temp["out"], "--pair", "medium");

        result.ShouldBeInvalidInput("audit.json");
        result.Stderr.Should().Contain("'medium'").And.Contain("light, code");
        Directory.Exists(temp["out"]).Should().BeFalse();
    }

    /// <summary>How to break the two-pair manifest, and the file the one error line must name.</summary>
    private static readonly Dictionary<string, (Func<TempFolder, string> Write, string Named)> BadInputs = new()
    {
        ["malformed_json"] = (temp =>
        {
            File.WriteAllText(temp["audit.json"], """{ "schema_version": 1, "pairs": [ """);
            return temp["audit.json"];
        }, "audit.json"),
        ["unknown_field"] = (temp => Edit(temp, m => m.Defaults()["n_token"] = 2048), "audit.json"),
        ["missing_model"] = (temp => Edit(temp, m => m["pairs"]![0]!["finetune"] = temp["no-such-model"]), "no-such-model"),
        ["missing_sae"] = (temp => Edit(temp, m => m.Defaults()["sae"] = temp["no-such-sae"]), "no-such-sae"),
        ["missing_dataset"] = (temp => Edit(temp, m => m.Defaults()["dataset"] = new JsonObject { ["path"] = temp["no-such.jsonl"] }),
            "no-such.jsonl"),
        ["sae_d_in_mismatch"] = (temp => Edit(temp, m => m.Defaults()["sae"] = AuditManifests.NarrowSae(temp, 64)), "cfg.json"),
        ["hook_out_of_range"] = (temp => Edit(temp, m => m.Defaults()["hook"] = "blocks.9.hook_resid_pre"), "blocks.9"),
        ["dataset_too_short"] = (temp => Edit(temp, m => m.Defaults()["n_tokens"] = 10_000_000), "eval_prose.jsonl"),
        ["dataset_not_utf8"] = (temp =>
        {
            File.WriteAllBytes(temp["latin1.jsonl"], [.. "{\"text\": \"caf"u8, 0xE9, .. "\"}\n"u8]);
            return Edit(temp, m => m.Defaults()["dataset"] = new JsonObject { ["path"] = temp["latin1.jsonl"] });
        }, "latin1.jsonl"),
    };

    public static TheoryData<string> BadInputCases() => new(BadInputs.Keys);

    [Theory]
    [MemberData(nameof(BadInputCases))]
    public async Task Bad_input_exits_2_with_one_error_line_and_writes_nothing(string badInput)
    {
        using var temp = new TempFolder();
        var (write, named) = BadInputs[badInput];
        var manifest = write(temp);

        var result = await Cli.RunAsync("run", manifest, "--out", temp["out"]);

        result.ShouldBeInvalidInput(named);
        Directory.Exists(temp["out"]).Should().BeFalse();
        Directory.EnumerateFiles(temp.Path, "*results*", SearchOption.AllDirectories).Should().BeEmpty();
    }

    private static string Edit(TempFolder temp, Action<JsonObject> edit)
    {
        var manifest = AuditManifests.TwoPairs();
        edit(manifest);
        return manifest.Write(temp);
    }
}

[Collection(nameof(CurrentDirectoryCollection))]
public class RunDefaultOutputTests
{
    [Fact]
    public async Task Without_out_results_go_to_out_slash_manifest_name_under_the_current_folder()
    {
        using var temp = new TempFolder();
        var manifest = AuditManifests.TwoPairs().Write(temp, "nightly.json");
        using var _ = new CurrentDirectory(temp.Path);

        var result = await Cli.RunAsync("run", manifest, "--pair", "light");

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Stderr);
        File.Exists(temp["out/nightly/results.json"]).Should().BeTrue();
        result.Stdout.Should().Contain($"results: {Path.Combine("out", "nightly", "results.json")}");
    }
}
