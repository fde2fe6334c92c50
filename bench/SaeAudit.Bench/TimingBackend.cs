using System.Diagnostics;
using SaeAudit.Tensors;

namespace SaeAudit.Bench;

/// <summary>An <see cref="IComputeBackend"/> that forwards every call to an inner backend and adds up the wall time
/// per operation (matmuls per shape), so a profile shows where the engine's time goes without touching src/.</summary>
internal sealed class TimingBackend(IComputeBackend inner) : IComputeBackend
{
    public sealed class Entry
    {
        public long Calls { get; set; }
        public double Seconds { get; set; }
        public double Flops { get; set; }
    }

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public string Name => inner.Name;

    public int Threads => inner.Threads;

    public IReadOnlyDictionary<string, Entry> Entries => _entries;

    public double TotalSeconds
    {
        get
        {
            lock (_entries) return _entries.Values.Sum(e => e.Seconds);
        }
    }

    public void MatMul(Tensor a, Tensor b, Tensor c, bool transposeB = false, Tensor? bias = null)
    {
        int m = a.Rows, k = a.Columns, n = transposeB ? b.Rows : b.Columns;
        Time($"matmul {m}×{k}×{n}{(transposeB ? "ᵀ" : "")}", 2.0 * m * k * n, () => inner.MatMul(a, b, c, transposeB, bias));
    }

    public void MatMul(Tensor a, WeightMatrix b, Tensor c, bool transposeB = false, Tensor? bias = null)
    {
        int m = a.Rows, k = a.Columns, n = transposeB ? b.Rows : b.Columns;
        var stored = b.Type == WeightType.Float32 ? "" : $" {b.Type.Name()}";
        Time($"matmul {m}×{k}×{n}{(transposeB ? "ᵀ" : "")}{stored}", 2.0 * m * k * n, () => inner.MatMul(a, b, c, transposeB, bias));
    }

    public void LayerNorm(Tensor x, Tensor weight, Tensor? bias, float eps, Tensor output) =>
        Time("layernorm", 0, () => inner.LayerNorm(x, weight, bias, eps, output));

    public void RmsNorm(Tensor x, Tensor weight, float eps, bool addOneToWeight, Tensor output) =>
        Time("rmsnorm", 0, () => inner.RmsNorm(x, weight, eps, addOneToWeight, output));

    public void GeluTanh(Tensor x) => Time("gelu_tanh", 0, () => inner.GeluTanh(x));

    public void GeluErf(Tensor x) => Time("gelu_erf", 0, () => inner.GeluErf(x));

    public void Silu(Tensor x) => Time("silu", 0, () => inner.Silu(x));

    public void SoftCap(Tensor x, float cap) => Time("softcap", 0, () => inner.SoftCap(x, cap));

    public void Add(Tensor x, Tensor y) => Time("add", 0, () => inner.Add(x, y));

    public void Multiply(Tensor x, Tensor y) => Time("multiply", 0, () => inner.Multiply(x, y));

    public void CausalSelfAttention(Tensor q, Tensor k, Tensor v, Tensor output, AttentionOptions options)
    {
        // q·kᵀ and p·v over the causal half of the score matrix.
        var flops = 2.0 * 2 * options.Batch * options.Heads * options.HeadDim * options.Sequence * (options.Sequence + 1) / 2;
        Time("attention", flops, () => inner.CausalSelfAttention(q, k, v, output, options));
    }

    private void Time(string op, double flops, Action call)
    {
        var clock = Stopwatch.StartNew();
        call();
        var seconds = clock.Elapsed.TotalSeconds;
        lock (_entries)
        {
            if (!_entries.TryGetValue(op, out var entry)) _entries[op] = entry = new Entry();
            entry.Calls++;
            entry.Seconds += seconds;
            entry.Flops += flops;
        }
    }
}
