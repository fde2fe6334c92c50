using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>The two-layer MLP of GPT-2 and GPT-NeoX: down(act(up(x))).</summary>
internal sealed class Mlp(Linear up, Linear down, ActivationFunction activation)
{
    public Tensor Forward(IComputeBackend backend, Tensor x, Workspace<ForwardBuffer> workspace, ForwardBuffer output)
    {
        var hidden = up.Forward(backend, x, workspace, ForwardBuffer.Hidden);
        backend.Apply(activation, hidden);
        return down.Forward(backend, hidden, workspace, output);
    }
}
