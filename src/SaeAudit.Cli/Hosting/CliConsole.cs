using Spectre.Console;

namespace SaeAudit.Cli.Hosting;

/// <summary>Where commands write: results to <see cref="Out"/>, progress (through logging) and errors to
/// <see cref="Error"/>. <see cref="Interactive"/> is true only for a terminal, where tables get borders and colour.</summary>
internal sealed class CliConsole(TextWriter output, TextWriter error, bool interactive)
{
    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public bool Interactive { get; } = interactive;

    /// <summary>A Spectre console on <see cref="Out"/>, for tables in a terminal.</summary>
    public IAnsiConsole CreateAnsiConsole() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Out),
        Ansi = Interactive ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = Interactive ? InteractionSupport.Detect : InteractionSupport.No,
    });
}
