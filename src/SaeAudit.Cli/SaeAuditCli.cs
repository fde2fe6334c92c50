using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SaeAudit.Cli.Commands;
using SaeAudit.Cli.Hosting;

namespace SaeAudit.Cli;

/// <summary>The saeaudit command line, callable in-process: <see cref="Program.Main"/> passes the console, tests pass
/// string writers. Maps every outcome to an exit code (<see cref="ExitCodes"/>) and every failure to one
/// <c>error: ...</c> line on stderr (<see cref="FailureReporter"/>).</summary>
public static class SaeAuditCli
{
    /// <summary>Set to 1 to get the full stack trace of an unexpected failure (never shown for bad input).</summary>
    public const string DebugVariable = "SAEAUDIT_DEBUG";

    /// <summary>The informational version (0.1.0, plus "+commit" when built from a git checkout).</summary>
    public static string Version { get; } =
        typeof(SaeAuditCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "unknown";

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        RunAsync(args, stdout, stderr, CliEnvironment.Process, cancellationToken);

    /// <summary>As above, reading environment variables from <paramref name="environment"/> instead of the process.</summary>
    internal static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CliEnvironment environment,
        CancellationToken cancellationToken)
    {
        var failures = new FailureReporter(stderr, environment);
        try
        {
            using var host = BuildHost(stdout, stderr, environment, failures);
            var parse = BuildRootCommand(host.Services).Parse(args);
            if (parse.Errors.Count > 0)
            {
                var problems = string.Join("; ", parse.Errors.Select(e => e.Message));
                stderr.WriteLine($"error: {FailureReporter.OneLine(problems)} (see 'saeaudit --help')");
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
            return failures.Report(e, cancellationToken);
        }
    }

    private static IHost BuildHost(TextWriter stdout, TextWriter stderr, CliEnvironment environment, FailureReporter failures)
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

        var ci = environment.IsContinuousIntegration;
        var interactive = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected && !ci;
        var errorInteractive = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected && !ci;
        builder.Services.AddSingleton(new CliConsole(stdout, stderr, interactive, errorInteractive));
        builder.Services.AddSingleton(environment);
        builder.Services.AddSingleton(failures);
        builder.Services.AddSingleton<GlobalOptions>();
        builder.Services.AddSingleton<InspectModelCommand>();
        // Top-level commands in help order.
        builder.Services.AddSingleton<ICliCommand, RunCommand>();
        builder.Services.AddSingleton<ICliCommand, ReportCommand>();
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
