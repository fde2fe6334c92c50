using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SaeAudit.Cli.Hosting;
using SaeAudit.Cli.Tracing;
using SaeAudit.Models;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Models.Hub;
using SaeAudit.Tensors;

namespace SaeAudit.Cli.Commands;

/// <summary><c>saeaudit trace</c>: runs a model on token ids and saves hook activations and logits as .npy files,
/// laid out like the reference fixtures (<c>blocks.L.hook_resid_pre.npy</c>, <c>logits.npy</c>), to compare
/// against another implementation.</summary>
internal sealed class TraceCommand(CliConsole console, GlobalOptions global, ILogger<TraceCommand> log) : ICliCommand
{
    public Command Create()
    {
        var model = new Option<string>("--model") { Description = "Hugging Face model folder, or hf:<owner>/<name>[@<revision>]", HelpName = "dir", Required = true };
        var inputIds = new Option<string>("--input-ids") { Description = "int32/int64 .npy token ids, [len] or [rows, len]", HelpName = "ids.npy" };
        var text = new Option<string>("--text") { Description = "Text to tokenize with the model's tokenizer.json (no special tokens added)" };
        var output = new Option<string>("--out") { Description = "Folder for the .npy files (created; files of the same name are replaced)", HelpName = "dir", Required = true };
        var allHooks = new Option<bool>("--all-hooks") { Description = "Also save every hook_resid_post, hook_attn_out and hook_mlp_out" };
        var command = new Command("trace", "Run a model on token ids and save hook activations and logits as .npy")
        {
            model, inputIds, text, output, allHooks,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetResult(inputIds) is null) == (result.GetResult(text) is null))
                result.AddError("give exactly one of --input-ids and --text");
        });
        command.SetAction((parse, cancellationToken) => Task.FromResult(Run(
            parse.GetRequiredValue(model),
            parse.GetValue(inputIds),
            parse.GetValue(text),
            parse.GetRequiredValue(output),
            parse.GetValue(allHooks),
            global.CreateBackend(parse),
            cancellationToken)));
        return command;
    }

    private int Run(string modelDirectory, string? idsPath, string? text, string outputDirectory, bool allHooks,
        IComputeBackend backend, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        // An hf: reference is fetched into the hub cache (or found there) and read like any folder.
        modelDirectory = ModelSource.Resolve(modelDirectory, HubFiles.Model, cancellation: cancellationToken).Folder;
        // Everything is validated (config, ids, weights, output path) before the first log line, so bad input gives
        // exactly one line on stderr: the error. The ids are checked against config.json before the weights load.
        var config = ModelConfig.Load(Path.Combine(modelDirectory, "config.json"));
        var input = idsPath is not null
            ? TraceInput.FromNpy(idsPath, config)
            : TraceInput.FromText(text!, modelDirectory, config);
        using var transformer = ModelLoader.Load(modelDirectory, backend);
        using var staged = new StagedFolder(outputDirectory);
        log.LogInformation("trace: {Model}: {Architecture}, {Layers} layers, d_model {DModel}, vocab {Vocab} (loaded in {Seconds:F2} s)",
            transformer.Checkpoint.Directory, transformer.Model.Architecture, transformer.Layers, transformer.DModel,
            transformer.VocabSize, clock.Elapsed.TotalSeconds);
        log.LogInformation("trace: running {Rows} rows x {Length} tokens on {Backend} with {Threads} threads",
            input.Rows, input.Length, backend.Name, backend.Threads);

        var saved = SavedHooks(transformer.Layers, allHooks);
        var activations = new Dictionary<HookPoint, Tensor>();
        var logits = transformer.Run(input.Batch, (hook, activation) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The activation is a live buffer the model keeps updating: copy it.
            if (saved.Contains(hook))
                activations[hook] = new Tensor((float[])activation.Data.Clone(), input.ShapeOf(activation.Columns));
        });
        cancellationToken.ThrowIfCancellationRequested();

        if (text is not null)
            NpyFile.WriteInt32(staged.PathOf("input_ids.npy"), input.Ids, [input.Length]);
        foreach (var (hook, activation) in activations)
            NpyFile.Write(staged.PathOf($"{hook}.npy"), activation);
        NpyFile.Write(staged.PathOf("logits.npy"), logits.Reshape(input.ShapeOf(transformer.VocabSize)));
        cancellationToken.ThrowIfCancellationRequested();
        var files = staged.Commit();

        console.Out.WriteLine(
            $"trace: wrote {files.Count} files to {staged.Destination} ({input.Rows} rows, {input.Rows * input.Length} tokens, {clock.Elapsed.TotalSeconds:F2} s)");
        return ExitCodes.Ok;
    }

    /// <summary>Every block's input (hidden_states[L] in HF terms) and the last block's output; with
    /// <paramref name="allHooks"/> every hook the model offers.</summary>
    private static HashSet<HookPoint> SavedHooks(int layers, bool allHooks) => allHooks
        ? HookPoint.All(layers).ToHashSet()
        : Enumerable.Range(0, layers).Select(layer => new HookPoint(layer, HookKind.ResidPre))
            .Append(new HookPoint(layers - 1, HookKind.ResidPost))
            .ToHashSet();
}
