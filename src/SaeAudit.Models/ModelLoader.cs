using SaeAudit.Models.Architectures;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models;

/// <summary>Opens a Hugging Face model folder (config.json + safetensors) as a <see cref="HookedTransformer"/>.</summary>
public static class ModelLoader
{
    /// <summary>An architecture, the <c>model_type</c> HF pairs it with, and its implementation.</summary>
    private sealed record Registration(
        string Architecture, string ModelType, Func<ModelConfig, Checkpoint, IComputeBackend, ITransformer> Create);

    private static readonly Registration[] Registry =
    [
        new("GPT2LMHeadModel", "gpt2", (config, checkpoint, backend) => new Gpt2(config, checkpoint, backend)),
        new("LlamaForCausalLM", "llama", (config, checkpoint, backend) => new Llama(config, checkpoint, backend)),
        new("MistralForCausalLM", "mistral", (config, checkpoint, backend) => new Llama(config, checkpoint, backend)),
        new("GemmaForCausalLM", "gemma", (config, checkpoint, backend) => new Gemma(config, checkpoint, backend)),
        new("Gemma2ForCausalLM", "gemma2", (config, checkpoint, backend) => new Gemma2(config, checkpoint, backend)),
        new("GPTNeoXForCausalLM", "gpt_neox", (config, checkpoint, backend) => new GptNeoX(config, checkpoint, backend)),
    ];

    /// <summary>The HF architectures this build runs, by <c>config.json</c> <c>architectures[0]</c>.</summary>
    public static IReadOnlyList<string> SupportedArchitectures { get; } = Registry.Select(r => r.Architecture).ToArray();

    /// <summary>The config's architecture, or an error naming config.json when this build cannot run it or the
    /// config's model_type belongs to another architecture.</summary>
    public static string RequireSupported(ModelConfig config) => Find(config).Architecture;

    private static Registration Find(ModelConfig config)
    {
        var architecture = config.Architecture;
        var registration = Array.Find(Registry, r => r.Architecture == architecture)
            ?? throw InvalidInputException.For(config.Path, "architectures",
                $"'{architecture}' is not supported; supported: {string.Join(", ", SupportedArchitectures)}");
        // HF builds the model from the config class (model_type), so a config naming another family's class is bad input.
        if (config.ModelType != registration.ModelType)
            throw InvalidInputException.For(config.Path, "model_type",
                $"\"{config.ModelType}\" does not match architectures {architecture} (expected \"{registration.ModelType}\")");
        return registration;
    }

    public static HookedTransformer Load(string modelDirectory, IComputeBackend backend)
    {
        if (!System.IO.Directory.Exists(modelDirectory))
            throw new InvalidInputException($"{modelDirectory}: model folder not found");
        var config = ModelConfig.Load(Path.Combine(modelDirectory, "config.json"));
        var registration = Find(config);
        var checkpoint = Checkpoint.Open(modelDirectory);
        try
        {
            return new HookedTransformer(registration.Create(config, checkpoint, backend));
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }
}
