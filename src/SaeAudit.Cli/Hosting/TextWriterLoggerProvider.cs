using Microsoft.Extensions.Logging;

namespace SaeAudit.Cli.Hosting;

/// <summary>Logs one plain line per message to stderr (the writer given to <see cref="SaeAuditCli.RunAsync"/>), so
/// progress never mixes with results on stdout. Information lines are the bare message; warnings and worse are
/// prefixed with their level ("warning: ...").</summary>
internal sealed class TextWriterLoggerProvider(TextWriter writer) : ILoggerProvider
{
    private readonly object _gate = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose() { }

    private void Write(LogLevel level, string message, Exception? exception)
    {
        var prefix = level >= LogLevel.Warning ? level.ToString().ToLowerInvariant() + ": " : "";
        lock (_gate)
        {
            writer.WriteLine(prefix + message);
            if (exception is not null) writer.WriteLine(exception.Message);
        }
    }

    private sealed class Logger(TextWriterLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) provider.Write(logLevel, formatter(state, exception), exception);
        }
    }
}
