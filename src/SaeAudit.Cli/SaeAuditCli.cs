using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SaeAudit.Cli.Commands;
using SaeAudit.Cli.Hosting;
using SaeAudit.Models;

namespace SaeAudit.Cli;

/// <summary>The saeaudit command line, callable in-process: <see cref="Program.Main"/> passes the console, tests pass
/// string writers. Maps every outcome to an exit code (<see cref="ExitCodes"/>) and every failure to one
/// <c>error: ...</c> line on stderr.</summary>
public static class SaeAuditCli
{
    /// <summary>Set to 1 to get the full stack trace of an unexpected failure (never shown for bad input).</summary>
    public const string DebugVariable = "SAEAUDIT_DEBUG";

    /// <summary>The informational version (0.1.0, plus "+commit" when built from a git checkout).</summary>
    public static string Version { get; } =
        typeof(SaeAuditCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "unknown";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            using var host = BuildHost(stdout, stderr);
            var parse = BuildRootCommand(host.Services).Parse(args);
            if (parse.Errors.Count > 0)
            {
                var problems = string.Join("; ", parse.Errors.Select(e => e.Message));
                stderr.WriteLine($"error: {OneLine(problems)} (see 'saeaudit --help')");
                return ExitCodes.InvalidInput;
            }
            var invocation = new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                // Exceptions are mapped to exit codes below; Ctrl+C is handled by the caller's token.
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            };
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        catch (Exception e)
        {
            return ReportFailure(e, stderr, cancellationToken);
        }
    }

    private static IHost BuildHost(TextWriter stdout, TextWriter stderr)
    {
        // No appsettings/environment configuration and no console lifetime: a command-line tool configures itself
        // from its arguments, and in-process callers (tests) run many hosts side by side.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ApplicationName = "saeaudit",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new TextWriterLoggerProvider(stderr));
        builder.Logging.SetMinimumLevel(LogLevel.Information);

        var ci = CliConsole.IsContinuousIntegration();
        var interactive = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected && !ci;
        var errorInteractive = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected && !ci;
        builder.Services.AddSingleton(new CliConsole(stdout, stderr, interactive, errorInteractive));
        builder.Services.AddSingleton<GlobalOptions>();
        builder.Services.AddSingleton<InspectModelCommand>();
        // Top-level commands in help order.
        builder.Services.AddSingleton<ICliCommand, RunCommand>();
        builder.Services.AddSingleton<ICliCommand, ValidateCommand>();
        builder.Services.AddSingleton<ICliCommand, InitCommand>();
        builder.Services.AddSingleton<ICliCommand, InspectCommand>();
        builder.Services.AddSingleton<ICliCommand, TraceCommand>();
        return builder.Build();
    }

    private static RootCommand BuildRootCommand(IServiceProvider services)
    {
        var root = new RootCommand("Checks whether a sparse autoencoder trained on a base language model still works on a finetune.");
        foreach (var option in root.Options.OfType<VersionOption>())
            option.Action = new PrintVersionAction();
        services.GetRequiredService<GlobalOptions>().AddTo(root);
        foreach (var command in services.GetServices<ICliCommand>())
            root.Subcommands.Add(command.Create());
        return root;
    }

    private static int ReportFailure(Exception exception, TextWriter stderr, CancellationToken cancellationToken)
    {
        // Parallel loops wrap what a worker threw; report the original.
        while (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
            exception = aggregate.InnerExceptions[0];

        switch (exception)
        {
            case InvalidInputException invalid:
                stderr.WriteLine($"error: {OneLine(invalid.Message)}");
                return ExitCodes.InvalidInput;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                stderr.WriteLine("error: cancelled");
                return ExitCodes.Cancelled;
            default:
                stderr.WriteLine($"error: {exception.GetType().Name}: {OneLine(exception.Message)}");
                if (Environment.GetEnvironmentVariable(DebugVariable) == "1")
                    stderr.WriteLine(exception.ToString());
                return ExitCodes.Failure;
        }
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>The built-in --version prints the entry assembly's version, which in-process is the test host's.</summary>
    private sealed class PrintVersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine($"saeaudit {Version}");
            return ExitCodes.Ok;
        }
    }
}
