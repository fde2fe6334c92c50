using System.CommandLine;
using SaeAudit.Cli.Hosting;
using SaeAudit.Evaluation.Manifests;

namespace SaeAudit.Cli.Commands;

/// <summary><c>saeaudit init [path]</c>: writes the commented starter manifest, which audits the bundled demo
/// (<c>samples/gpt2-tiny</c> under the current folder, so run it from the repository root). Never overwrites.</summary>
internal sealed class InitCommand(CliConsole console) : ICliCommand
{
    public const string DefaultPath = "saeaudit.json";

    public Command Create()
    {
        var path = new Argument<string>("path")
        {
            Description = $"Where to write the manifest (default: {DefaultPath}); an existing file is never overwritten",
            DefaultValueFactory = _ => DefaultPath,
        };
        var command = new Command("init", "Write a commented starter manifest that audits the bundled demo models") { path };
        command.SetAction(parse =>
        {
            var target = parse.GetRequiredValue(path);
            ManifestTemplate.WriteNew(target);
            console.Out.WriteLine($"init: wrote {target}, a starter manifest auditing the demo models in {ManifestTemplate.DefaultSamplesDirectory}");
            if (!Directory.Exists(ManifestTemplate.DefaultSamplesDirectory))
                console.Out.WriteLine($"note: {ManifestTemplate.DefaultSamplesDirectory} is not under the current folder; edit the manifest's paths to point at your models");
            console.Out.WriteLine($"next: saeaudit validate {target} && saeaudit run {target}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
