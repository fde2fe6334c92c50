using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>torch.nn.LayerNorm over the last dimension (biased variance).</summary>
internal sealed class LayerNorm(Tensor weight, Tensor? bias, float eps)
{
    public Tensor Weight => weight;

    public Tensor Forward(IComputeBackend backend, Tensor x)
    {
        var y = Tensor.Zeros(x.Rows, x.Columns);
        backend.LayerNorm(x, weight, bias, eps, y);
        return y;
    }
}
