using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>The gated MLP of the Llama family: down_proj(act(gate_proj(x)) · up_proj(x)) — SwiGLU with SiLU (Llama,
/// Mistral), GeGLU with the tanh GELU (Gemma, Gemma-2).</summary>
internal sealed class GatedMlp(Linear gate, Linear up, Linear down, ActivationFunction activation)
{
    /// <summary>HF names <c>{prefix}gate_proj</c>, <c>up_proj</c>, <c>down_proj</c> (.weight, and .bias when <paramref name="bias"/>).</summary>
    public static GatedMlp Load(Checkpoint checkpoint, string prefix, ModelConfig config, ActivationFunction activation, bool bias)
    {
        int d = config.HiddenSize, inner = config.IntermediateSize;
        Linear Load(string name, int outFeatures, int inFeatures) => Linear.Torch(
            checkpoint.LoadWeights(prefix + name + ".weight", outFeatures, inFeatures),
            bias ? checkpoint.LoadFloat32(prefix + name + ".bias", outFeatures) : null);
        return new GatedMlp(Load("gate_proj", inner, d), Load("up_proj", inner, d), Load("down_proj", d, inner), activation);
    }

    public Tensor Forward(IComputeBackend backend, Tensor x, Workspace<ForwardBuffer> workspace, ForwardBuffer output)
    {
        var hidden = gate.Forward(backend, x, workspace, ForwardBuffer.Hidden);
        backend.Apply(activation, hidden);
        backend.Multiply(hidden, up.Forward(backend, x, workspace, ForwardBuffer.Up));
        return down.Forward(backend, hidden, workspace, output);
    }
}
