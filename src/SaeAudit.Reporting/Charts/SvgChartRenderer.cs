using System.Globalization;
using System.Text;

namespace SaeAudit.Reporting.Charts;

/// <summary>Renders a chart as a self-contained SVG: no scripts, no external references, a white background so it
/// reads the same in light and dark mode (e.g. on GitHub). Deterministic: invariant culture, coordinates rounded to
/// 2 decimals, no ids or timestamps, so the same chart gives the same bytes.</summary>
public static class SvgChartRenderer
{
    public const string FontFamily = "'DejaVu Sans', Verdana, sans-serif";

    public static string Render(Chart chart)
    {
        var scene = ChartScene.Build(chart);
        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{N(scene.Width)}\" height=\"{N(scene.Height)}\" ")
            .Append($"viewBox=\"0 0 {N(scene.Width)} {N(scene.Height)}\" role=\"img\" font-family=\"{FontFamily}\">\n");
        svg.Append($"<title>{Escape(scene.Title)}</title>\n");
        foreach (var item in scene.Items)
        {
            svg.Append(item switch
            {
                SceneRect r => $"<rect x=\"{N(r.Rect.Left)}\" y=\"{N(r.Rect.Top)}\" width=\"{N(r.Rect.Width)}\"" +
                    $" height=\"{N(r.Rect.Height)}\" fill=\"{r.Fill.Hex}\"/>",
                SceneLine l => $"<line x1=\"{N(l.From.X)}\" y1=\"{N(l.From.Y)}\" x2=\"{N(l.To.X)}\" y2=\"{N(l.To.Y)}\"" +
                    $" stroke=\"{l.Stroke.Hex}\" stroke-width=\"{N(l.Width)}\"{(l.Dashed ? " stroke-dasharray=\"4 3\"" : "")}/>",
                ScenePolyline p => $"<polyline points=\"{Points(p.Points)}\" fill=\"none\" stroke=\"{p.Stroke.Hex}\"" +
                    $" stroke-width=\"{N(p.Width)}\"{Opacity("stroke-opacity", p.Opacity)} stroke-linejoin=\"round\"/>",
                ScenePolygon p => $"<polygon points=\"{Points(p.Points)}\" fill=\"{p.Fill.Hex}\"{Opacity("fill-opacity", p.FillOpacity)}/>",
                SceneCircle c => $"<circle cx=\"{N(c.Centre.X)}\" cy=\"{N(c.Centre.Y)}\" r=\"{N(c.Radius)}\" fill=\"{c.Fill.Hex}\"/>",
                SceneText t => Text(t.Text),
                _ => throw new NotSupportedException($"no SVG for {item.GetType().Name}"),
            }).Append('\n');
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Text(ChartText text)
    {
        var anchor = text.Anchor switch
        {
            TextAnchor.Middle => " text-anchor=\"middle\"",
            TextAnchor.End => " text-anchor=\"end\"",
            _ => "",
        };
        var rotation = text.Vertical ? $" transform=\"rotate(-90 {N(text.X)} {N(text.Y)})\"" : "";
        var weight = text.Bold ? " font-weight=\"bold\"" : "";
        return $"<text x=\"{N(text.X)}\" y=\"{N(text.Y)}\" font-size=\"{N(text.Size)}\"{weight}{anchor}{rotation}" +
            $" fill=\"{text.Color.Hex}\">{Escape(text.Text)}</text>";
    }

    private static string Opacity(string attribute, double opacity) => opacity < 1 ? $" {attribute}=\"{N(opacity)}\"" : "";

    private static string Points(IEnumerable<ChartPoint> points) => string.Join(" ", points.Select(p => $"{N(p.X)},{N(p.Y)}"));

    /// <summary>A coordinate with at most 2 decimals, invariant, no "-0".</summary>
    private static string N(double value)
    {
        var rounded = Math.Round(value, 2, MidpointRounding.AwayFromZero);
        return (rounded == 0 ? 0 : rounded).ToString("0.##", CultureInfo.InvariantCulture);
    }

    private static string Escape(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
}
