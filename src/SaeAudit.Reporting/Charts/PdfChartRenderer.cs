using PdfSharp.Drawing;
using SaeAudit.Reporting.Fonts;

namespace SaeAudit.Reporting.Charts;

/// <summary>Draws a chart with PDFsharp vector graphics from the same <see cref="ChartScene"/> as the SVG, scaled
/// uniformly to fit the area and centred in it.</summary>
public static class PdfChartRenderer
{
    /// <summary>The height that fits <paramref name="chart"/> at <paramref name="width"/> without letterboxing (bar
    /// charts grow with their number of bars).</summary>
    public static double HeightFor(Chart chart, double width)
    {
        var layout = ChartLayout.For(chart);
        return width * layout.Height / layout.Width;
    }

    public static void Draw(XGraphics gfx, XRect area, Chart chart)
    {
        PdfFonts.EnsureInstalled();
        var scene = ChartScene.Build(chart);
        var scale = Math.Min(area.Width / scene.Width, area.Height / scene.Height);
        var state = gfx.Save();
        gfx.TranslateTransform(area.X + (area.Width - scene.Width * scale) / 2, area.Y + (area.Height - scene.Height * scale) / 2);
        gfx.ScaleTransform(scale);
        var fonts = new Dictionary<(double Size, bool Bold), XFont>();
        foreach (var item in scene.Items)
        {
            switch (item)
            {
                case SceneRect r:
                    gfx.DrawRectangle(Brush(r.Fill, 1), Rect(r.Rect));
                    break;
                case SceneLine l:
                    // Same dash as the SVG's "4 3" (PDFsharp's custom dash pattern is in units of the pen width).
                    var pen = new XPen(Color(l.Stroke), l.Width);
                    if (l.Dashed) pen.DashPattern = [4 / l.Width, 3 / l.Width];
                    gfx.DrawLine(pen, Point(l.From), Point(l.To));
                    break;
                case ScenePolyline p:
                    gfx.DrawLines(new XPen(Color(p.Stroke, p.Opacity), p.Width) { LineJoin = XLineJoin.Round },
                        p.Points.Select(Point).ToArray());
                    break;
                case ScenePolygon p:
                    gfx.DrawPolygon(Brush(p.Fill, p.FillOpacity), p.Points.Select(Point).ToArray(), XFillMode.Winding);
                    break;
                case SceneCircle c:
                    gfx.DrawEllipse(Brush(c.Fill, 1), c.Centre.X - c.Radius, c.Centre.Y - c.Radius, 2 * c.Radius, 2 * c.Radius);
                    break;
                case SceneText t:
                    DrawText(gfx, t.Text, fonts);
                    break;
                default:
                    throw new NotSupportedException($"no PDF drawing for {item.GetType().Name}");
            }
        }
        gfx.Restore(state);
    }

    private static void DrawText(XGraphics gfx, ChartText text, Dictionary<(double, bool), XFont> fonts)
    {
        if (!fonts.TryGetValue((text.Size, text.Bold), out var font))
            fonts[(text.Size, text.Bold)] = font = new XFont(PdfFonts.Sans, text.Size, text.Bold ? XFontStyleEx.Bold : XFontStyleEx.Regular);
        var format = text.Anchor switch
        {
            TextAnchor.Middle => XStringFormats.BaseLineCenter,
            TextAnchor.End => XStringFormats.BaseLineRight,
            _ => XStringFormats.BaseLineLeft,
        };
        var at = new XPoint(text.X, text.Y);
        if (!text.Vertical)
        {
            gfx.DrawString(text.Text, font, Brush(text.Color, 1), at, format);
            return;
        }
        var state = gfx.Save();
        gfx.RotateAtTransform(-90, at);
        gfx.DrawString(text.Text, font, Brush(text.Color, 1), at, format);
        gfx.Restore(state);
    }

    private static XColor Color(ChartColor color, double opacity = 1) =>
        XColor.FromArgb((int)Math.Round(opacity * 255), color.R, color.G, color.B);

    private static XSolidBrush Brush(ChartColor color, double opacity) => new(Color(color, opacity));

    private static XRect Rect(ChartRect rect) => new(rect.Left, rect.Top, rect.Width, rect.Height);

    private static XPoint Point(ChartPoint point) => new(point.X, point.Y);
}
