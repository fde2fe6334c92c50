using SaeAudit.Models.Architectures;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models;

/// <summary>Opens a Hugging Face model folder (config.json + safetensors) as a <see cref="HookedTransformer"/>.</summary>
public static class ModelLoader
{
    /// <summary>The HF architectures this build runs, by <c>config.json</c> <c>architectures[0]</c>.</summary>
    public static IReadOnlyList<string> SupportedArchitectures { get; } = ["GPT2LMHeadModel"];

    public static HookedTransformer Load(string modelDirectory, IComputeBackend backend)
    {
        if (!System.IO.Directory.Exists(modelDirectory))
            throw new InvalidInputException($"{modelDirectory}: model folder not found");
        var config = ModelConfig.Load(Path.Combine(modelDirectory, "config.json"));
        var architecture = config.Architecture ?? "(none)";
        if (!SupportedArchitectures.Contains(architecture))
            throw InvalidInputException.For(config.Path, "architectures",
                $"'{architecture}' is not supported; supported: {string.Join(", ", SupportedArchitectures)}");
        var checkpoint = Checkpoint.Open(modelDirectory);
        try
        {
            ITransformer model = architecture switch
            {
                _ => new Gpt2(config, checkpoint, backend),
            };
            return new HookedTransformer(model);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }
}
