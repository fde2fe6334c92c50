using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>RMSNorm over the last dimension, in float32: x / sqrt(mean(x²) + eps) · gain, where gain is the stored
/// weight, or 1 + weight for Gemma, whose checkpoints store the offset from 1.</summary>
internal sealed class RmsNorm
{
    private readonly Tensor _weight;
    private readonly float _eps;
    private readonly bool _addOneToWeight;

    public RmsNorm(Tensor weight, float eps, bool addOneToWeight)
    {
        _weight = weight;
        _eps = eps;
        _addOneToWeight = addOneToWeight;
        if (!addOneToWeight)
        {
            Gain = weight;
            return;
        }
        // 1 + w rounded to float32, as Gemma's (1.0 + self.weight.float()).
        Gain = Tensor.Zeros(weight.Shape);
        System.Numerics.Tensors.TensorPrimitives.Add(weight.Data, 1f, Gain.Data);
    }

    /// <summary>The gain as applied [d].</summary>
    public Tensor Gain { get; }

    public Tensor Forward(IComputeBackend backend, Tensor x)
    {
        var y = Tensor.Zeros(x.Rows, x.Columns);
        backend.RmsNorm(x, _weight, _eps, _addOneToWeight, y);
        return y;
    }
}
