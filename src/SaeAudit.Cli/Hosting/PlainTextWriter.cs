using System.Text;

namespace SaeAudit.Cli.Hosting;

/// <summary>Tidies Spectre.Console's plain-text output for logs and files: trailing spaces are cut from every line
/// and runs of blank lines become one. (A Markdown-bordered table is drawn with a line of spaces above and below,
/// which would otherwise leave whitespace-only lines.)</summary>
internal sealed class PlainTextWriter(TextWriter inner) : TextWriter
{
    private readonly StringBuilder _line = new();
    private bool _lastLineBlank;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        if (value == '\r') return;
        if (value != '\n')
        {
            _line.Append(value);
            return;
        }
        var line = _line.ToString().TrimEnd();
        _line.Clear();
        var blank = line.Length == 0;
        if (blank && _lastLineBlank) return;
        _lastLineBlank = blank;
        inner.WriteLine(line);
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? "") Write(c);
    }

    /// <summary>Passes the flush on but keeps an unfinished line until its newline (Spectre flushes after every
    /// write, often mid-line, and the line's end decides what to trim). Every line the CLI writes ends in one.</summary>
    public override void Flush() => inner.Flush();
}
