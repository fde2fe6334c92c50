using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>y = x·W + b. GPT-2's Conv1D stores W as [in, out]; nn.Linear stores it as [out, in] and is applied
/// transposed, so the weight is used as stored either way (no copy).</summary>
internal sealed class Linear
{
    private readonly Tensor _weight;
    private readonly Tensor? _bias;
    private readonly bool _storedOutIn;

    private Linear(Tensor weight, Tensor? bias, bool storedOutIn)
    {
        _weight = weight;
        _bias = bias;
        _storedOutIn = storedOutIn;
    }

    public int OutFeatures => _storedOutIn ? _weight.Shape[0] : _weight.Shape[1];

    /// <summary>A GPT-2 Conv1D: weight [in, out].</summary>
    public static Linear Conv1D(Tensor weight, Tensor? bias) => new(weight, bias, storedOutIn: false);

    /// <summary>A torch nn.Linear: weight [out, in].</summary>
    public static Linear Torch(Tensor weight, Tensor? bias) => new(weight, bias, storedOutIn: true);

    public void Forward(IComputeBackend backend, Tensor x, Tensor y) =>
        backend.MatMul(x, _weight, y, transposeB: _storedOutIn, bias: _bias);

    /// <summary>Allocates the output [rows of x, out].</summary>
    public Tensor Forward(IComputeBackend backend, Tensor x)
    {
        var y = Tensor.Zeros(x.Rows, OutFeatures);
        Forward(backend, x, y);
        return y;
    }
}
