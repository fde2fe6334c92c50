using System.Globalization;
using HandlebarsDotNet;
using SaeAudit.Reporting.Model;

namespace SaeAudit.Reporting.Markdown;

/// <summary>Every Handlebars helper the Markdown templates (the default ones and a user's own) can use, registered
/// in this one place:
/// <list type="bullet">
/// <item><c>{{fmt x}}</c>: a number through <see cref="NumberFormat.Format(double)"/> (counts in full, null → n/a);
/// text passes through, so it is safe on already formatted cells.</item>
/// <item><c>{{pct x}}</c>: a fraction as a percentage (0.0317 → 3.174%).</item>
/// <item><c>{{badge Status}}</c>: PASS / FAIL (or true / false) as ✅ PASS / ❌ FAIL.</item>
/// <item><c>{{table t}}</c>: a <see cref="ReportTable"/> as a GitHub table; <c>badge="result"</c> shows that
/// column's cells as badges.</item>
/// </list></summary>
internal static class MarkdownHelpers
{
    public static void Register(IHandlebars handlebars)
    {
        handlebars.RegisterHelper("fmt", new HandlebarsReturnHelper((Context _, Arguments arguments) =>
            Fmt(Single(arguments, "fmt"))));
        handlebars.RegisterHelper("pct", new HandlebarsReturnHelper((Context _, Arguments arguments) =>
            Pct(Single(arguments, "pct"))));
        handlebars.RegisterHelper("badge", new HandlebarsReturnHelper((Context _, Arguments arguments) =>
            Single(arguments, "badge") switch
            {
                bool passed => MarkdownText.Badge(passed),
                var status => MarkdownText.Badge(Convert.ToString(status, CultureInfo.InvariantCulture) ?? ""),
            }));
        handlebars.RegisterHelper("table", new HandlebarsReturnHelper((Context _, Arguments arguments) =>
        {
            if (Single(arguments, "table") is not ReportTable table)
                throw new HandlebarsRuntimeException("table: the argument is not a table (ReportTable)");
            var badgeColumn = arguments.Hash.TryGetValue("badge", out var column) ? column?.ToString() : null;
            return MarkdownText.Table(table, badgeColumn);
        }));
    }

    /// <summary>The one positional argument; Handlebars passes hash options (<c>badge="result"</c>) as one more.</summary>
    private static object? Single(Arguments arguments, string helper)
    {
        var positional = arguments.Length - (arguments.Hash.Count > 0 ? 1 : 0);
        return positional == 1
            ? arguments[0]
            : throw new HandlebarsRuntimeException($"{helper}: expects exactly one argument, got {positional}");
    }

    private static string Fmt(object? value) => value switch
    {
        null => NumberFormat.NotAvailable,
        string text => text,
        double d => NumberFormat.Format(d),
        float f => NumberFormat.Format(f),
        decimal m => NumberFormat.Format((double)m),
        int or long or short or byte or uint or ushort or sbyte => NumberFormat.Format(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        ulong u => u.ToString(CultureInfo.InvariantCulture),
        _ => throw new HandlebarsRuntimeException($"fmt: cannot format a {value.GetType().Name} as a number"),
    };

    private static string Pct(object? value) => value switch
    {
        null => NumberFormat.NotAvailable,
        double or float or decimal or int or long => NumberFormat.Percent(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        _ => throw new HandlebarsRuntimeException($"pct: cannot format a {value.GetType().Name} as a percentage"),
    };
}
