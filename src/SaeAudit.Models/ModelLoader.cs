using SaeAudit.Models.Architectures;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models;

/// <summary>Opens a Hugging Face model folder (config.json + safetensors) as a <see cref="HookedTransformer"/>.</summary>
public static class ModelLoader
{
    /// <summary>The HF architectures this build runs, by <c>config.json</c> <c>architectures[0]</c>.</summary>
    public static IReadOnlyList<string> SupportedArchitectures { get; } = ["GPT2LMHeadModel"];

    /// <summary>The config's architecture, or an error naming config.json when this build cannot run it.</summary>
    public static string RequireSupported(ModelConfig config)
    {
        var architecture = config.Architecture;
        if (architecture is null || !SupportedArchitectures.Contains(architecture))
            throw InvalidInputException.For(config.Path, "architectures",
                $"'{architecture}' is not supported; supported: {string.Join(", ", SupportedArchitectures)}");
        return architecture;
    }

    public static HookedTransformer Load(string modelDirectory, IComputeBackend backend)
    {
        if (!System.IO.Directory.Exists(modelDirectory))
            throw new InvalidInputException($"{modelDirectory}: model folder not found");
        var config = ModelConfig.Load(Path.Combine(modelDirectory, "config.json"));
        var architecture = RequireSupported(config);
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
