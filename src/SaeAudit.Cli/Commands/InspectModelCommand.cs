using System.CommandLine;
using SaeAudit.Cli.Hosting;
using SaeAudit.Cli.Inspection;
using SaeAudit.Models.Hub;
using Spectre.Console;

namespace SaeAudit.Cli.Commands;

/// <summary><c>saeaudit inspect model &lt;dir&gt; [--json]</c>: the facts of a model folder from config.json and the
/// checkpoint headers.</summary>
internal sealed class InspectModelCommand(CliConsole console)
{
    public Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "Hugging Face model folder (config.json + safetensors), or hf:<owner>/<name>[@<revision>]" };
        var json = new Option<bool>("--json") { Description = "Print the facts as JSON" };
        var command = new Command("model", "Show a model's architecture, size, dtypes and hook names (does not run it)")
        {
            directory,
            json,
        };
        command.SetAction(parse =>
        {
            // An hf: reference is fetched into the hub cache (or found there) and read like any folder.
            var facts = ModelFacts.Read(ModelSource.Resolve(parse.GetRequiredValue(directory), HubFiles.Model).Folder);
            if (parse.GetValue(json)) WriteJson(facts);
            else WriteTable(facts);
            return ExitCodes.Ok;
        });
        return command;
    }

    private void WriteJson(ModelFacts facts)
    {
        using var buffer = new MemoryStream();
        facts.WriteJson(buffer);
        console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private void WriteTable(ModelFacts facts)
    {
        var rows = facts.Rows();
        if (!console.Interactive)
        {
            // Redirected: aligned "field  value" lines, one per fact, never wrapped (easy to grep).
            var width = rows.Max(r => r.Field.Length) + 2;
            foreach (var (field, value) in rows) console.Out.WriteLine(field.PadRight(width) + value);
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("field").AddColumn("value");
        foreach (var (field, value) in rows) table.AddRow(Markup.Escape(field), Markup.Escape(value));
        console.CreateAnsiConsole().Write(table);
    }
}
