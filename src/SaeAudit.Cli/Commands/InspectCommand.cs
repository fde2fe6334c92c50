using System.CommandLine;

namespace SaeAudit.Cli.Commands;

/// <summary><c>saeaudit inspect ...</c>: read-only looks at inputs, without running anything.</summary>
internal sealed class InspectCommand(InspectModelCommand model) : ICliCommand
{
    public Command Create()
    {
        var inspect = new Command("inspect", "Show what saeaudit reads from an input, without running it");
        inspect.Subcommands.Add(model.Create());
        return inspect;
    }
}
