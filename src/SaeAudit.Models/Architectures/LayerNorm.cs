using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>torch.nn.LayerNorm over the last dimension (biased variance).</summary>
internal sealed class LayerNorm(Tensor weight, Tensor? bias, float eps)
{
    public Tensor Weight => weight;

    /// <summary>Normalizes x into <paramref name="output"/>'s slot and returns it.</summary>
    public Tensor Forward(IComputeBackend backend, Tensor x, Workspace<ForwardBuffer> workspace, ForwardBuffer output)
    {
        var y = workspace.Get(output, x.Rows, x.Columns);
        backend.LayerNorm(x, weight, bias, eps, y);
        return y;
    }
}
