using SaeAudit.Evaluation;
using SaeAudit.Reporting;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SaeAudit.Cli.Progress;

/// <summary>One Spectre.Console progress bar per pair: tokens done of total, tokens/s and the time left.</summary>
internal sealed class ProgressBars(ProgressContext context) : IAuditProgress
{
    private readonly Dictionary<string, ProgressTask> _tasks = [];

    /// <summary>Runs <paramref name="work"/> while the bars are drawn on <paramref name="console"/>; the bars stay
    /// on screen afterwards as a record of the run.</summary>
    public static T Run<T>(IAnsiConsole console, Func<IAuditProgress, T> work) =>
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TokensColumn(),
                new TokenRateColumn(), new RemainingTimeColumn())
            .Start(context => work(new ProgressBars(context)));

    public void PairStarted(string pair, long totalTokens) =>
        _tasks[pair] = context.AddTask(Markup.Escape(pair), maxValue: totalTokens);

    public void Advanced(string pair, long tokens) => _tasks[pair].Increment(tokens);

    public void PairFinished(string pair)
    {
        var task = _tasks[pair];
        task.Value = task.MaxValue;
        task.StopTask();
    }

    private sealed class TokensColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text($"{task.Value:0}/{task.MaxValue:0} tokens");
    }

    private sealed class TokenRateColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } speed ? $"{NumberFormat.Format(speed)} tokens/s" : "");
    }
}
