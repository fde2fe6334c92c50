using SaeAudit.Tensors;

namespace SaeAudit.Models.Architectures;

/// <summary>y = x·W + b. GPT-2's Conv1D stores W as [in, out]; nn.Linear stores it as [out, in] and is applied
/// transposed, so the weight is used as stored either way (no copy; BF16/F16 weights stay 16-bit).</summary>
internal sealed class Linear
{
    private readonly WeightMatrix _weight;
    private readonly Tensor? _bias;
    private readonly bool _storedOutIn;

    private Linear(WeightMatrix weight, Tensor? bias, bool storedOutIn)
    {
        _weight = weight;
        _bias = bias;
        _storedOutIn = storedOutIn;
    }

    public int OutFeatures => _storedOutIn ? _weight.Rows : _weight.Columns;

    /// <summary>A GPT-2 Conv1D: weight [in, out].</summary>
    public static Linear Conv1D(WeightMatrix weight, Tensor? bias) => new(weight, bias, storedOutIn: false);

    /// <summary>A torch nn.Linear: weight [out, in].</summary>
    public static Linear Torch(WeightMatrix weight, Tensor? bias) => new(weight, bias, storedOutIn: true);

    /// <summary>Writes y [rows of x, out] into <paramref name="output"/>'s slot and returns it.</summary>
    public Tensor Forward(IComputeBackend backend, Tensor x, Workspace<ForwardBuffer> workspace, ForwardBuffer output)
    {
        var y = workspace.Get(output, x.Rows, OutFeatures);
        backend.MatMul(x, _weight, y, transposeB: _storedOutIn, bias: _bias);
        return y;
    }
}
