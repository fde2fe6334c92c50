using System.Text;

namespace SaeAudit.Reporting.Charts;

/// <summary>File-safe chart ids: lowercase ASCII letters, digits and single hyphens.</summary>
public static class ChartIds
{
    /// <summary>"Light FT/v2" → "light-ft-v2"; a name with no letter or digit becomes "pair".</summary>
    public static string Slug(string name)
    {
        var slug = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9') slug.Append(c);
            else if (slug.Length > 0 && slug[^1] != '-') slug.Append('-');
        }
        var text = slug.ToString().TrimEnd('-');
        return text.Length == 0 ? "pair" : text;
    }

    public static bool IsFileSafe(string id) =>
        id.Length > 0 && id == Slug(id);
}
