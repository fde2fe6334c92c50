using Spectre.Console;

namespace SaeAudit.Cli.Hosting;

/// <summary>Where commands write their results (progress goes to stderr through logging).
/// <see cref="Interactive"/> is true only for a terminal, where tables get borders and colour.</summary>
internal sealed class CliConsole(TextWriter output, bool interactive)
{
    public TextWriter Out { get; } = output;

    public bool Interactive { get; } = interactive;

    /// <summary>A Spectre console on <see cref="Out"/>, for tables in a terminal (it detects colour support).</summary>
    public IAnsiConsole CreateAnsiConsole() => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Out) });
}
