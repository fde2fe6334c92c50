using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SaeAudit.Reporting.Tests.Pdf;

/// <summary>poppler-utils (pdftotext, pdftoppm) as an independent reader of the PDFs under test: if poppler extracts
/// the text and renders every page without a complaint, viewers will too. .ci/run installs it.</summary>
internal static partial class Poppler
{
    /// <summary>The text of every page, laid out as on the page (<c>pdftotext -layout</c>); pages end with a form
    /// feed.</summary>
    public static string Text(string pdf) => Run("pdftotext", "-layout", pdf, "-");

    /// <summary>Every word with its box, page by page (<c>pdftotext -bbox</c>).</summary>
    public static IReadOnlyList<IReadOnlyList<Word>> Words(string pdf)
    {
        var pages = new List<IReadOnlyList<Word>>();
        List<Word>? page = null;
        foreach (var line in Run("pdftotext", "-bbox", pdf, "-").Split('\n'))
        {
            if (line.Contains("<page ", StringComparison.Ordinal)) pages.Add(page = []);
            var match = WordPattern().Match(line);
            if (!match.Success || page is null) continue;
            double At(int group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
            page.Add(new Word(System.Net.WebUtility.HtmlDecode(match.Groups[5].Value), At(1), At(2), At(3), At(4)));
        }
        return pages;
    }

    /// <summary>Renders every page to PNG at <paramref name="dpi"/> in <paramref name="folder"/> and returns the
    /// files; fails on any message poppler prints (a malformed object, a missing font).</summary>
    public static IReadOnlyList<string> RenderPages(string pdf, string folder, int dpi)
    {
        var messages = Run("pdftoppm", ["-png", "-r", dpi.ToString(CultureInfo.InvariantCulture), pdf, Path.Combine(folder, "page")],
            returnErrors: true);
        messages.Should().BeEmpty("poppler renders the PDF without complaint");
        return Directory.GetFiles(folder, "page-*.png").Order(StringComparer.Ordinal).ToArray();
    }

    private static string Run(string tool, params string[] arguments) => Run(tool, arguments, returnErrors: false);

    private static string Run(string tool, string[] arguments, bool returnErrors)
    {
        Process process;
        try
        {
            process = Process.Start(new ProcessStartInfo(tool, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{tool} is not installed: the PDF tests need poppler-utils "
                + "(apt-get install poppler-utils; .ci/run installs it)", e);
        }
        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            process.ExitCode.Should().Be(0, $"{tool} {string.Join(" ", arguments)} failed: {errors.Result}");
            return returnErrors ? errors.Result : output;
        }
    }

    [GeneratedRegex("""<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">(.*)</word>""")]
    private static partial Regex WordPattern();
}

/// <summary>A word as poppler sees it: its text and its box in points from the page's top-left corner.</summary>
internal sealed record Word(string Text, double XMin, double YMin, double XMax, double YMax)
{
    /// <summary>Whether the boxes share more than <paramref name="tolerance"/> points in both directions.</summary>
    public bool Overlaps(Word other, double tolerance) =>
        Math.Min(XMax, other.XMax) - Math.Max(XMin, other.XMin) > tolerance
        && Math.Min(YMax, other.YMax) - Math.Max(YMin, other.YMin) > tolerance;
}
