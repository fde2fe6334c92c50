using System.CommandLine;
using SaeAudit.Cli.Hosting;
using SaeAudit.Evaluation;
using SaeAudit.Evaluation.Manifests;

namespace SaeAudit.Cli.Commands;

/// <summary><c>saeaudit validate &lt;manifest.json&gt;</c>: loads and checks a manifest (and, from the configs, that
/// every SAE fits its models) without running anything, and
/// shows each pair as resolved (defaults applied, paths absolute) with the canonical hash its results will carry.</summary>
internal sealed class ValidateCommand(CliConsole console) : ICliCommand
{
    public Command Create()
    {
        var manifest = new Argument<string>("manifest") { Description = "The manifest (.json) to check" };
        var command = new Command("validate", "Check a manifest and show its pairs as resolved (runs nothing)") { manifest };
        command.SetAction(parse =>
        {
            var path = parse.GetRequiredValue(manifest);
            var loaded = ManifestLoader.Load(path);
            AuditRunner.Preflight(loaded);
            console.Out.WriteLine($"{path}: valid, schema_version {loaded.SchemaVersion}, {loaded.Pairs.Count} pair{(loaded.Pairs.Count == 1 ? "" : "s")}");
            foreach (var pair in loaded.Pairs)
                console.Out.WriteLine("  " + pair.Describe());
            console.Out.WriteLine($"canonical hash: {loaded.CanonicalHash}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
