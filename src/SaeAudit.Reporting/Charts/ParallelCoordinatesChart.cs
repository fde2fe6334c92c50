namespace SaeAudit.Reporting.Charts;

/// <summary>One line per item from a value on the left axis to its value on the right axis, both on the shared
/// <see cref="Chart.Y"/> scale (e.g. log10 density of a feature in base → in finetune). NaN means "absent on that
/// side" (a dead feature): such ends are drawn on a separate row below the axis, labelled
/// <see cref="MissingLabel"/>, and the line is coloured by which side it is missing on. An item missing on both sides
/// has no line.</summary>
public sealed record ParallelCoordinatesChart : Chart
{
    public ParallelCoordinatesChart(string id, string title, ChartAxis y, string leftLabel, string rightLabel,
        IReadOnlyList<double> left, IReadOnlyList<double> right, string presentLabel = "on both sides",
        string missingLabel = "missing")
        : base(id, title, ChartAxis.Linear(""), y)
    {
        if (left.Count != right.Count)
            throw new ArgumentException($"parallel coordinates need as many left ({left.Count}) as right ({right.Count}) values");
        LeftLabel = leftLabel;
        RightLabel = rightLabel;
        Left = left;
        Right = right;
        PresentLabel = presentLabel;
        MissingLabel = missingLabel;
    }

    public string LeftLabel { get; }

    public string RightLabel { get; }

    public IReadOnlyList<double> Left { get; }

    public IReadOnlyList<double> Right { get; }

    /// <summary>Legend text of items present on both sides.</summary>
    public string PresentLabel { get; }

    /// <summary>What NaN means ("dead"): labels the row below the axis and, with the side's label, the legend.</summary>
    public string MissingLabel { get; }

    public static readonly ChartColor PresentColor = ChartPalette.Neutral;
    public static readonly ChartColor MissingLeftColor = ChartPalette.Green;
    public static readonly ChartColor MissingRightColor = ChartPalette.Purple;

    public bool HasMissing => MissingLeftCount + MissingRightCount > 0;

    private int MissingLeftCount => Enumerable.Range(0, Left.Count).Count(i => double.IsNaN(Left[i]) && !double.IsNaN(Right[i]));

    private int MissingRightCount => Enumerable.Range(0, Left.Count).Count(i => !double.IsNaN(Left[i]) && double.IsNaN(Right[i]));

    /// <summary>Only when something is missing (otherwise every line means the same), and only the kinds present.</summary>
    public override IReadOnlyList<LegendEntry> Legend
    {
        get
        {
            if (!HasMissing) return [];
            var entries = new List<LegendEntry> { new(PresentLabel, PresentColor) };
            if (MissingLeftCount > 0) entries.Add(new LegendEntry($"{MissingLabel} in {LeftLabel}", MissingLeftColor));
            if (MissingRightCount > 0) entries.Add(new LegendEntry($"{MissingLabel} in {RightLabel}", MissingRightColor));
            return entries;
        }
    }
}
