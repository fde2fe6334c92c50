using Spectre.Console;

namespace SaeAudit.Cli.Hosting;

/// <summary>Where commands write: results to <see cref="Out"/> (stdout), progress to <see cref="Error"/> (stderr).
/// A stream counts as interactive only when it is a terminal and the <c>CI</c> variable is not set; interactive
/// streams get borders, colour and live progress bars, the others plain text without ANSI codes.</summary>
internal sealed class CliConsole(TextWriter output, TextWriter error, bool interactive, bool errorInteractive)
{
    /// <summary>Wide enough that redirected tables never wrap: a log or a CI page has no width to fit.</summary>
    private const int PlainWidth = 400;

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public bool Interactive { get; } = interactive;

    public bool ErrorInteractive { get; } = errorInteractive;

    /// <summary>A Spectre console on <see cref="Out"/>: the terminal's own capabilities when interactive, else plain
    /// text (no ANSI codes, no colour, no wrapping, no trailing spaces).</summary>
    public IAnsiConsole CreateAnsiConsole() => Create(Out, Interactive);

    /// <summary>A Spectre console on <see cref="Error"/>, for progress bars.</summary>
    public IAnsiConsole CreateErrorConsole() => Create(Error, ErrorInteractive);

    private static IAnsiConsole Create(TextWriter writer, bool interactive)
    {
        if (interactive) return AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(new PlainTextWriter(writer)),
        });
        console.Profile.Width = PlainWidth;
        console.Profile.Capabilities.Interactive = false;
        return console;
    }
}
