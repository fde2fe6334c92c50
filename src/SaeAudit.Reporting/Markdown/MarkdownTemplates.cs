using System.Reflection;
using HandlebarsDotNet;
using SaeAudit.Models;

namespace SaeAudit.Reporting.Markdown;

/// <summary>Loads and compiles the Markdown templates. The defaults are embedded in this assembly
/// (<c>templates/*.md.hbs</c> are documents, <c>templates/partials/*.hbs</c> are partials named by file name); a
/// user's template file replaces the document, and the <c>partials/</c> folder beside it, where present, replaces or
/// adds partials by name, so a user can override one partial and keep the rest.</summary>
internal static class MarkdownTemplates
{
    public const string Report = "report.md.hbs";
    public const string Summary = "summary.md.hbs";

    private const string ResourcePrefix = "SaeAudit.Reporting.Templates.";
    private const string DocumentSuffix = ".md.hbs";
    private const string PartialSuffix = ".hbs";

    private static readonly Assembly Assembly = typeof(MarkdownTemplates).Assembly;

    /// <summary>The embedded document <paramref name="name"/>, or the user's file when <paramref name="userTemplate"/>
    /// is set. A user's template that cannot be read or compiled is invalid input naming the file.</summary>
    public static Func<object, string> Compile(string name, string? userTemplate)
    {
        var handlebars = Handlebars.Create(new HandlebarsConfiguration
        {
            // Markdown, not HTML: HTML-escaping would turn "≥" or "<" into entities.
            NoEscape = true,
            // A misspelt name in a template fails loudly instead of rendering as nothing.
            ThrowOnUnresolvedBindingExpression = true,
        });
        MarkdownHelpers.Register(handlebars);
        foreach (var (partial, partialSource) in EmbeddedPartials())
            handlebars.RegisterTemplate(partial, partialSource);
        if (userTemplate is null)
        {
            var embedded = handlebars.Compile(ReadEmbedded(name));
            return model => embedded(model);
        }

        var source = ReadUserFile(userTemplate);
        var partialsFolder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(userTemplate))!, "partials");
        if (Directory.Exists(partialsFolder))
        {
            foreach (var file in Directory.EnumerateFiles(partialsFolder, "*" + PartialSuffix).Order(StringComparer.Ordinal))
                UserStep(file, () => handlebars.RegisterTemplate(Path.GetFileName(file)[..^PartialSuffix.Length], ReadUserFile(file)));
        }
        var template = UserStep(userTemplate, () => handlebars.Compile(source));
        return model => UserStep(userTemplate, () => template(model));
    }

    private static IEnumerable<(string Name, string Source)> EmbeddedPartials() =>
        Assembly.GetManifestResourceNames()
            .Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal)
                && !r.EndsWith(DocumentSuffix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(r => (r[ResourcePrefix.Length..^PartialSuffix.Length], ReadEmbedded(r[ResourcePrefix.Length..])));

    private static string ReadEmbedded(string fileName)
    {
        using var stream = Assembly.GetManifestResourceStream(ResourcePrefix + fileName)
            ?? throw new InvalidOperationException($"embedded template {fileName} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string ReadUserFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InvalidInputException.For(path, null, $"cannot read the template: {e.Message}");
        }
    }

    /// <summary>Runs a step that depends on a user's template; Handlebars' errors (syntax, unknown name or helper)
    /// become invalid input naming that file.</summary>
    private static T UserStep<T>(string path, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (e is HandlebarsException or HandlebarsDotNet.Compiler.HandlebarsUndefinedBindingException)
        {
            throw InvalidInputException.For(path, null, $"template error: {e.Message}");
        }
    }

    private static void UserStep(string path, Action step) => UserStep(path, () =>
    {
        step();
        return true;
    });
}
