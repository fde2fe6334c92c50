using System.CommandLine;

namespace SaeAudit.Cli.Reporting;

/// <summary>The reports rendered from a results file (<c>run --report</c>, <c>report --format</c>).</summary>
[Flags]
internal enum ReportFormats
{
    None = 0,

    /// <summary><c>md</c>: report.md and its charts as charts/*.svg.</summary>
    Markdown = 1,

    /// <summary><c>pdf</c>: report.pdf.</summary>
    Pdf = 2,

    /// <summary><c>junit</c>: junit.xml, one test case per gate.</summary>
    JUnit = 4,
}

/// <summary>The option that selects <see cref="ReportFormats"/>: a comma-separated list of <c>md</c>, <c>pdf</c>,
/// <c>junit</c>. Its value is the text as given (so help shows the default as it is typed); an unknown name is a
/// command-line error (exit 2), found while parsing.</summary>
internal static class ReportFormatOption
{
    private static readonly (string Name, ReportFormats Format)[] Names =
        [("md", ReportFormats.Markdown), ("pdf", ReportFormats.Pdf), ("junit", ReportFormats.JUnit)];

    private static string Known => string.Join(", ", Names.Select(n => n.Name));

    public static Option<string> Create(string name, string description, ReportFormats defaults)
    {
        var option = new Option<string>(name)
        {
            Description = $"{description}: a comma-separated list of {Known}",
            HelpName = "formats",
            DefaultValueFactory = _ => string.Join(',', Names.Where(n => defaults.HasFlag(n.Format)).Select(n => n.Name)),
        };
        option.Validators.Add(result =>
        {
            if (TryParse(result.GetValueOrDefault<string>(), out _) is { } problem)
                result.AddError($"{name}: {problem}");
        });
        return option;
    }

    /// <summary>The formats named by a value the option's validator accepted.</summary>
    public static ReportFormats Parse(string? text) =>
        TryParse(text, out var formats) is { } problem ? throw new ArgumentException(problem, nameof(text)) : formats;

    /// <summary>Null when <paramref name="text"/> names at least one format and only known ones; else the problem.</summary>
    private static string? TryParse(string? text, out ReportFormats formats)
    {
        formats = ReportFormats.None;
        foreach (var name in (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var known = Names.FirstOrDefault(n => n.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (known.Name is null) return $"unknown format '{name}' (expected {Known})";
            formats |= known.Format;
        }
        return formats == ReportFormats.None ? $"name at least one format ({Known})" : null;
    }
}
