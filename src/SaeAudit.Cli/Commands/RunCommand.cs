using System.CommandLine;
using Microsoft.Extensions.Logging;
using SaeAudit.Cli.Hosting;
using SaeAudit.Cli.Progress;
using SaeAudit.Cli.Reporting;
using SaeAudit.Evaluation;
using SaeAudit.Evaluation.Manifests;
using SaeAudit.Evaluation.Results;
using SaeAudit.Models;
using SaeAudit.Tensors;

namespace SaeAudit.Cli.Commands;

/// <summary><c>saeaudit run &lt;manifest.json&gt; [--out &lt;dir&gt;] [--pair &lt;name&gt;]...</c>: audits every pair
/// (or the selected ones), writes <c>results.json</c>, prints the summary and exits 0 when every gate passes, 1 when
/// one fails (SPEC §9).</summary>
internal sealed class RunCommand(CliConsole console, GlobalOptions global, ILogger<RunCommand> log) : ICliCommand
{
    public const string ResultsFileName = "results.json";

    /// <summary>Where results go without <c>--out</c>: out/&lt;manifest name&gt; under the current folder.</summary>
    public const string DefaultOutputRoot = "out";

    public Command Create()
    {
        var manifest = new Argument<string>("manifest") { Description = "The manifest (.json) naming the pairs to audit" };
        var output = new Option<string>("--out")
        {
            Description = $"Folder for {ResultsFileName} (default: {DefaultOutputRoot}/<manifest file name without extension>)",
            HelpName = "dir",
        };
        var pairs = new Option<string[]>("--pair")
        {
            Description = "Audit only this pair (repeat the option for several); default: every pair",
            HelpName = "name",
        };
        var command = new Command("run", "Audit the manifest's pairs, write results.json, print the summary; exit 1 if a gate fails")
        {
            manifest, output, pairs,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(Run(
            parse.GetRequiredValue(manifest),
            parse.GetValue(output),
            parse.GetValue(pairs) ?? [],
            global.CreateBackend(parse),
            cancellationToken)));
        return command;
    }

    private int Run(string manifestPath, string? outputDirectory, string[] pairNames, IComputeBackend backend,
        CancellationToken cancellationToken)
    {
        // Everything that can be checked up front is, so bad input fails before minutes of compute; input errors
        // found mid-run (a dataset too short, an SAE that does not fit) abort before anything is written.
        var manifest = SelectPairs(ManifestLoader.Load(manifestPath), manifestPath, pairNames);
        var resultsPath = ResultsPath(manifestPath, outputDirectory);

        var results = AuditProgress.Run(console, log, progress => new AuditRunner(backend, progress).Run(manifest, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        ResultsJson.Write(resultsPath, results);

        ConsoleSummary.Write(console.CreateAnsiConsole(), results, resultsPath);
        return results.Passed ? ExitCodes.Ok : ExitCodes.GateFailed;
    }

    /// <summary>The manifest's pairs named by <c>--pair</c>, in manifest order; all of them when none is named.</summary>
    private static Manifest SelectPairs(Manifest manifest, string manifestPath, string[] names)
    {
        if (names.Length == 0) return manifest;
        var known = manifest.Pairs.Select(p => p.Name).ToList();
        var unknown = names.FirstOrDefault(name => !known.Contains(name, StringComparer.Ordinal));
        if (unknown is not null)
            throw InvalidInputException.For(manifestPath, "--pair",
                $"no pair named '{unknown}' (the manifest has: {string.Join(", ", known)})");
        return manifest with { Pairs = manifest.Pairs.Where(p => names.Contains(p.Name, StringComparer.Ordinal)).ToList() };
    }

    private static string ResultsPath(string manifestPath, string? outputDirectory)
    {
        var folder = outputDirectory ?? Path.Combine(DefaultOutputRoot, Path.GetFileNameWithoutExtension(manifestPath));
        if (File.Exists(folder))
            throw InvalidInputException.For(folder, "--out", "is a file; expected a folder (created if missing)");
        var path = Path.Combine(folder, ResultsFileName);
        if (Directory.Exists(path))
            throw InvalidInputException.For(path, "--out", $"is a folder; {ResultsFileName} cannot be written there");
        return path;
    }
}
