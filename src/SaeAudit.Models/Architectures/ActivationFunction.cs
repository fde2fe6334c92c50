using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>The MLP activations this build runs (HF <c>ACT2FN</c> names in <see cref="ActivationFunctions.Parse"/>).</summary>
internal enum ActivationFunction
{
    /// <summary>silu / swish: x·sigmoid(x).</summary>
    Silu,

    /// <summary>gelu_new / gelu_pytorch_tanh: the tanh approximation.</summary>
    GeluTanh,

    /// <summary>gelu: the exact erf form.</summary>
    GeluErf,
}

internal static class ActivationFunctions
{
    /// <summary>The config's activation (<see cref="ModelConfig.Activation"/>); any other name is an error naming
    /// <paramref name="field"/>, rather than a silently different function.</summary>
    public static ActivationFunction Parse(ModelConfig config, string field) => config.Activation switch
    {
        "silu" or "swish" => ActivationFunction.Silu,
        "gelu_new" or "gelu_pytorch_tanh" => ActivationFunction.GeluTanh,
        "gelu" => ActivationFunction.GeluErf,
        var other => throw InvalidInputException.For(config.Path, field,
            $"'{other}' is not supported (silu, swish, gelu, gelu_new, gelu_pytorch_tanh)"),
    };

    /// <summary>In place.</summary>
    public static void Apply(this IComputeBackend backend, ActivationFunction function, Tensor x)
    {
        switch (function)
        {
            case ActivationFunction.Silu: backend.Silu(x); break;
            case ActivationFunction.GeluTanh: backend.GeluTanh(x); break;
            default: backend.GeluErf(x); break;
        }
    }
}
