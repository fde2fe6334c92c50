using System.CommandLine;
using System.Globalization;
using SaeAudit.Tensors;

namespace SaeAudit.Cli.Hosting;

/// <summary>Options every command accepts (recursive, so they may stand before or after the command name).</summary>
internal sealed class GlobalOptions
{
    public Option<int> Threads { get; } = new("--threads")
    {
        Description = "Worker threads for the compute engine (results do not depend on it)",
        HelpName = "n",
        Recursive = true,
        DefaultValueFactory = _ => Environment.ProcessorCount,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var threads) && threads >= 1)
                return threads;
            result.AddError($"--threads must be a positive integer, got '{text}'");
            return 0;
        },
    };

    public void AddTo(RootCommand root) => root.Options.Add(Threads);

    /// <summary>The compute backend configured by the parsed options.</summary>
    public IComputeBackend CreateBackend(ParseResult parse) => new CpuBackend(parse.GetValue(Threads));
}
