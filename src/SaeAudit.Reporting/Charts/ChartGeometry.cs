namespace SaeAudit.Reporting.Charts;

/// <summary>A rectangle in chart units (pixels of the SVG, scaled uniformly into a PDF area); y grows downwards.</summary>
public readonly record struct ChartRect(double Left, double Top, double Width, double Height)
{
    public double Right => Left + Width;

    public double Bottom => Top + Height;
}

public readonly record struct ChartPoint(double X, double Y);

/// <summary>Maps data values of one axis onto chart units: <see cref="Min"/> to <see cref="From"/>, <see cref="Max"/>
/// to <see cref="To"/> (a y scale runs upwards, so its From is the larger unit).</summary>
public sealed record ChartScale(AxisScale Kind, double Min, double Max, double From, double To)
{
    /// <summary>The position of a value, clamped to the axis (a log axis puts values ≤ 0 at its start).</summary>
    public double Map(double value)
    {
        double t;
        if (Kind == AxisScale.Log10)
            t = value > 0 ? (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min)) : 0;
        else t = (value - Min) / (Max - Min);
        return From + Math.Clamp(t, 0, 1) * (To - From);
    }

    public bool Contains(double value) =>
        value >= Min && value <= Max && (Kind == AxisScale.Linear || value > 0);
}

public readonly record struct AxisTick(double Value, double Position, string Label);

public enum TextAnchor
{
    Start,
    Middle,
    End,
}

/// <summary>A line of text at its baseline point. <see cref="Vertical"/> text reads bottom to top (rotated -90°
/// about its point).</summary>
public sealed record ChartText(string Text, double X, double Y, double Size, TextAnchor Anchor, ChartColor Color,
    bool Bold = false, bool Vertical = false);

/// <summary>A legend swatch and its text.</summary>
public sealed record LegendItem(LegendEntry Entry, ChartRect Swatch, ChartText Text);
