using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>RMSNorm over the last dimension, in float32: x / sqrt(mean(x²) + eps) · gain, where gain is the stored
/// weight, or 1 + weight for Gemma, whose checkpoints store the offset from 1.</summary>
internal sealed class RmsNorm
{
    private readonly float _eps;

    public RmsNorm(Tensor weight, float eps, bool addOneToWeight)
    {
        _eps = eps;
        if (!addOneToWeight)
        {
            Gain = weight;
            return;
        }
        // 1 + w rounded to float32, as Gemma's (1.0 + self.weight.float()); computed once here rather than per call.
        Gain = Tensor.Zeros(weight.Shape);
        System.Numerics.Tensors.TensorPrimitives.Add(weight.Data, 1f, Gain.Data);
    }

    /// <summary>The weight [d] stored as <paramref name="name"/>, with the config's eps.</summary>
    public static RmsNorm Load(Checkpoint checkpoint, string name, ModelConfig config, bool addOneToWeight) =>
        new(checkpoint.LoadFloat32(name, config.HiddenSize), (float)config.NormEps, addOneToWeight);

    /// <summary>The gain as applied [d].</summary>
    public Tensor Gain { get; }

    /// <summary>Normalizes x into <paramref name="output"/>'s slot and returns it.</summary>
    public Tensor Forward(IComputeBackend backend, Tensor x, Workspace<ForwardBuffer> workspace, ForwardBuffer output)
    {
        var y = workspace.Get(output, x.Rows, x.Columns);
        backend.RmsNorm(x, Gain, _eps, addOneToWeight: false, y);
        return y;
    }
}
