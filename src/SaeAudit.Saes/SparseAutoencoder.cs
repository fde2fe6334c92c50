using System.Buffers;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using SaeAudit.Models;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Saes;

/// <summary>A sparse autoencoder (SPEC §4): x̃ = x − b_dec when <c>apply_b_dec_to_input</c>, else x;
/// pre = x̃·W_enc + b_enc; f = ReLU(pre) (standard), ReLU(TopK_k(pre)) (topk) or pre·1[pre &gt; threshold] (jumprelu);
/// x̂ = f·W_dec + b_dec. With <c>normalize_activations</c> (<see cref="ActivationNormalization"/>) x is normalized
/// before x̃ and x̂ mapped back after decoding, per token, as SAELens does. All compute is float32. Every result is a function of its own input row only, and work is
/// split among threads by row, so results do not depend on the thread count or on which rows share a batch.</summary>
public sealed class SparseAutoencoder
{
    public const string WeightsFileName = "sae_weights.safetensors";

    /// <summary>A row whose L0 is at most this fraction of d_sae is decoded sparsely (only its nonzero features, in
    /// ascending feature order); denser rows go through the dense GEMM. The choice depends on the row's data only, and
    /// both paths agree to float32 rounding.</summary>
    private const double SparseDecodeMaxDensity = 0.25;

    /// <summary>Rows handed to one worker at a time in the row-parallel loops.</summary>
    private const int RowsPerTask = 16;

    /// <summary>Top-k keeps its heap on the stack up to this k.</summary>
    private const int StackTopK = 512;

    /// <summary>Rows per GEMM when only some rows of a batch decode densely (see <see cref="DecodeDense"/>).</summary>
    private const int DenseGroupRows = 256;

    /// <summary>Temporaries of encode and decode, in workspaces rented per call (<see cref="WorkspacePool{TSlot}"/>), so
    /// batches after the first allocate none.</summary>
    private enum Temporary
    {
        /// <summary>The normalized (and b_dec-shifted) input [rows, d_in].</summary>
        Input,

        /// <summary>A group of dense rows' features [<see cref="DenseGroupRows"/>, d_sae] and their decoding.</summary>
        DenseFeatures,
        DenseReconstruction,
    }

    private readonly IComputeBackend _backend;
    private readonly ParallelOptions _parallel;

    /// <summary>Added to σ before dividing in <see cref="ActivationNormalization.LayerNorm"/> (SAELens's eps).</summary>
    private const float LayerNormEpsilon = 1e-5f;

    /// <summary>An SAE from tensors already in memory (tests, synthetic SAEs). Shapes must match
    /// <paramref name="config"/>; <paramref name="threshold"/> is required for, and only used by, jumprelu. For
    /// <see cref="ActivationNormalization.ExpectedAverageOnlyIn"/> the weights are given as saved and the config's
    /// <see cref="SaeConfig.NormScalingFactor"/> s is folded in as SAELens's <c>fold_activation_norm_scaling_factor</c>
    /// does: <see cref="WEnc"/> = W_enc·s, <see cref="WDec"/> = W_dec / s, <see cref="BDec"/> = b_dec / s.</summary>
    public SparseAutoencoder(SaeConfig config, Tensor wEnc, Tensor bEnc, Tensor wDec, Tensor bDec, Tensor? threshold,
        IComputeBackend backend, IReadOnlyList<string>? files = null)
    {
        RequireShape(wEnc, nameof(wEnc), config.DIn, config.DSae);
        RequireShape(bEnc, nameof(bEnc), config.DSae);
        RequireShape(wDec, nameof(wDec), config.DSae, config.DIn);
        RequireShape(bDec, nameof(bDec), config.DIn);
        if (config.Architecture == SaeArchitecture.JumpRelu)
        {
            ArgumentNullException.ThrowIfNull(threshold);
            RequireShape(threshold, nameof(threshold), config.DSae);
        }
        if (config.NormalizeActivations == ActivationNormalization.ExpectedAverageOnlyIn)
        {
            var s = (float)(config.NormScalingFactor
                ?? throw new ArgumentException("expected_average_only_in needs NormScalingFactor", nameof(config)));
            wEnc = Map(wEnc, (from, to) => TensorPrimitives.Multiply(from, s, to));
            // Divided as torch divides: x / s can differ from x · (1/s) in the last bit.
            wDec = Map(wDec, (from, to) => TensorPrimitives.Divide(from, s, to));
            bDec = Map(bDec, (from, to) => TensorPrimitives.Divide(from, s, to));
        }
        Config = config;
        WEnc = wEnc;
        BEnc = bEnc;
        WDec = wDec;
        BDec = bDec;
        Threshold = config.Architecture == SaeArchitecture.JumpRelu ? threshold : null;
        _backend = backend;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, backend.Threads) };
        Files = files ?? [];
    }

    public SaeConfig Config { get; }

    public int DIn => Config.DIn;

    public int DSae => Config.DSae;

    /// <summary>The hook the SAE was trained at (cfg.json <c>hook_name</c>).</summary>
    public HookPoint Hook => Config.Hook;

    public SaeArchitecture Architecture => Config.Architecture;

    /// <summary>k for topk SAEs, else null.</summary>
    public int? K => Config.K;

    public bool PrependBos => Config.PrependBos;

    /// <summary>[d_in, d_sae].</summary>
    public Tensor WEnc { get; }

    /// <summary>[d_sae].</summary>
    public Tensor BEnc { get; }

    /// <summary>[d_sae, d_in]: row i is feature i's decoder direction (the logit-weight similarity of SPEC §6 uses it).</summary>
    public Tensor WDec { get; }

    /// <summary>[d_in].</summary>
    public Tensor BDec { get; }

    /// <summary>[d_sae] for jumprelu, else null.</summary>
    public Tensor? Threshold { get; }

    /// <summary>The files the SAE was read from (cfg.json, sae_weights.safetensors, activation_scaler.json; or
    /// params.npz), for provenance hashes.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The configuration of the SAE in <paramref name="folder"/> without reading its weights (for checks
    /// before a run): a SAELens <c>cfg.json</c>, else a Gemma Scope <c>params.npz</c>, whose shapes give d_in and d_sae and
    /// whose hook must be <paramref name="hook"/> (the file does not record one). <paramref name="hook"/> is not used
    /// for SAELens folders.</summary>
    public static SaeConfig ReadConfig(string folder, HookPoint? hook = null)
    {
        folder = RequireFolder(folder);
        return IsGemmaScope(folder, out var npz) ? GemmaScopeParams.ReadConfig(npz, hook) : SaeConfig.Load(Path.Combine(folder, SaeConfig.FileName));
    }

    /// <summary>Loads an SAE folder in either format:
    /// <list type="bullet">
    /// <item>SAELens: <c>cfg.json</c> and <c>sae_weights.safetensors</c> with W_enc [d_in, d_sae], b_enc [d_sae],
    /// W_dec [d_sae, d_in], b_dec [d_in] and, for jumprelu, threshold [d_sae]; F32/F16/BF16 weights are widened to
    /// float32; for <c>expected_average_only_in</c> also <c>activation_scaler.json</c>.</item>
    /// <item>Gemma Scope (a folder without cfg.json but with <c>params.npz</c>): a JumpReLU SAE at
    /// <paramref name="hook"/>, which is then required (see <see cref="ReadConfig"/>).</item>
    /// </list>
    /// Every problem is an <see cref="InvalidInputException"/> naming the file and the tensor, member or field.</summary>
    public static SparseAutoencoder Load(string folder, IComputeBackend backend, HookPoint? hook = null)
    {
        folder = RequireFolder(folder);
        if (IsGemmaScope(folder, out var npz)) return GemmaScopeParams.Load(npz, hook, backend);
        var config = SaeConfig.Load(Path.Combine(folder, SaeConfig.FileName));
        var weightsPath = Path.Combine(folder, WeightsFileName);
        if (!File.Exists(weightsPath)) throw InvalidInputException.For(weightsPath, null, "SAE weights file not found");

        using var weights = SafetensorsFile.Open(weightsPath);
        var expected = new List<(string Name, int[] Shape)>
        {
            ("W_enc", [config.DIn, config.DSae]),
            ("b_enc", [config.DSae]),
            ("W_dec", [config.DSae, config.DIn]),
            ("b_dec", [config.DIn]),
        };
        if (config.Architecture == SaeArchitecture.JumpRelu) expected.Add(("threshold", [config.DSae]));

        // Check every shape before reading any data, so a mismatch costs no I/O.
        foreach (var (name, shape) in expected)
        {
            if (!weights.Tensors.TryGetValue(name, out var entry))
                throw InvalidInputException.For(weightsPath, $"tensor '{name}'",
                    config.Architecture == SaeArchitecture.JumpRelu && name == "threshold"
                        ? $"missing: a jumprelu SAE needs threshold [{config.DSae}] ({config.Path} says architecture jumprelu)"
                        : $"missing (the file has {string.Join(", ", weights.Tensors.Keys.Order(StringComparer.Ordinal))})");
            if (!entry.Shape.SequenceEqual(shape))
                throw InvalidInputException.For(weightsPath, $"tensor '{name}'",
                    $"shape {entry.ShapeText} does not match [{string.Join(", ", shape)}] from {SaeConfig.FileName} (d_in {config.DIn}, d_sae {config.DSae})");
            if (!entry.DType.IsFloat())
                throw InvalidInputException.For(weightsPath, $"tensor '{name}'",
                    $"dtype {entry.DType.Name()} is not a float type (expected F32, F16 or BF16)");
        }

        var threshold = config.Architecture == SaeArchitecture.JumpRelu ? weights.LoadFloat32("threshold") : null;
        IReadOnlyList<string> files = config.NormScalingFactor is null
            ? [config.Path, weightsPath]
            : [config.Path, weightsPath, Path.Combine(folder, SaeConfig.ActivationScalerFileName)];
        return new SparseAutoencoder(config, weights.LoadFloat32("W_enc"), weights.LoadFloat32("b_enc"),
            weights.LoadFloat32("W_dec"), weights.LoadFloat32("b_dec"), threshold, backend, files);
    }

    private static string RequireFolder(string folder)
    {
        folder = Path.GetFullPath(folder);
        return Directory.Exists(folder) ? folder : throw InvalidInputException.For(folder, null, "SAE folder not found");
    }

    /// <summary>A folder with params.npz and no cfg.json; without either, the SAELens path reports the missing cfg.json.</summary>
    private static bool IsGemmaScope(string folder, out string npz)
    {
        npz = Path.Combine(folder, GemmaScopeParams.FileName);
        return !File.Exists(Path.Combine(folder, SaeConfig.FileName)) && File.Exists(npz);
    }

    /// <summary>Checks that the SAE fits a model: d_in equals the model width (every supported hook carries d_model
    /// values per token) and the hook's layer exists. <paramref name="hook"/> defaults to the SAE's own hook.</summary>
    /// <param name="model">The model folder, for the message.</param>
    public void CheckCompatibility(string model, int dModel, int layers, HookPoint? hook = null)
    {
        var at = hook ?? Hook;
        if (DIn != dModel)
            throw InvalidInputException.For(Config.Path, "d_in",
                $"{DIn} does not match the width {dModel} of {at} in model {model}");
        if (at.Layer < 0 || at.Layer >= layers)
            throw InvalidInputException.For(Config.Path, hook is null ? "hook_name" : "hook",
                $"{at} needs layer {at.Layer}, but model {model} has {layers} layers (0..{layers - 1})");
    }

    /// <summary>Feature activations f [rows, d_sae] of x [..., d_in].</summary>
    public Tensor Encode(Tensor x)
    {
        var features = Tensor.Zeros(RequireInput(x), DSae);
        Encode(x, features);
        return features;
    }

    /// <summary>Writes f of x [..., d_in] into <paramref name="features"/> [rows, d_sae] (any content is overwritten).</summary>
    public void Encode(Tensor x, Tensor features)
    {
        var rows = RequireInput(x);
        RequireRows(features, nameof(features), rows, DSae);
        using var lease = WorkspacePool<Temporary>.Rent();
        var input = x;
        if (Config.ApplyBDecToInput || NormalizesPerToken)
        {
            input = lease.Workspace.Get(Temporary.Input, rows, DIn);
            ForRowChunks(rows, (first, end) =>
            {
                for (var r = first; r < end; r++)
                {
                    NormalizeIn(x.Row(r), input.Row(r));
                    if (Config.ApplyBDecToInput) TensorPrimitives.Subtract(input.Row(r), BDec.Data, input.Row(r));
                }
            });
        }
        _backend.MatMul(input, WEnc, features, transposeB: false, bias: BEnc);
        ForRowChunks(rows, (first, end) =>
        {
            for (var r = first; r < end; r++) Activate(features.Row(r));
        });
    }

    /// <summary>Reconstruction x̂ = f·W_dec + b_dec [rows, d_in] of f [rows, d_sae]; <paramref name="input"/> is the x
    /// that f was encoded from, required when the SAE normalizes per token (see <see cref="Decode(Tensor, Tensor, Tensor?)"/>).</summary>
    public Tensor Decode(Tensor features, Tensor? input = null)
    {
        var reconstruction = Tensor.Zeros(features.Rows, DIn);
        Decode(features, reconstruction, input);
        return reconstruction;
    }

    /// <summary>Writes x̂ of <paramref name="features"/> [rows, d_sae] into <paramref name="reconstruction"/> [rows, d_in].
    /// With <see cref="ActivationNormalization.ConstantNormRescale"/> or <see cref="ActivationNormalization.LayerNorm"/>,
    /// x̂ is mapped back with the statistics of <paramref name="input"/> [rows, d_in], the x that f was encoded from
    /// (SAELens keeps them between its encode and decode calls; here they are recomputed, so calls stay independent).</summary>
    public void Decode(Tensor features, Tensor reconstruction, Tensor? input = null)
    {
        if (features.Columns != DSae)
            throw new ArgumentException($"features {features} must have {DSae} columns (d_sae)", nameof(features));
        var rows = features.Rows;
        RequireRows(reconstruction, nameof(reconstruction), rows, DIn);
        if (NormalizesPerToken)
        {
            if (input is null)
                throw new ArgumentNullException(nameof(input),
                    $"normalize_activations {Config.NormalizeActivations} maps x̂ back with the input's statistics: pass the input");
            RequireRows(input, nameof(input), rows, DIn);
        }

        var maxSparseL0 = (int)(SparseDecodeMaxDensity * DSae);
        var denseRows = ArrayPool<bool>.Shared.Rent(rows);
        try
        {
            Array.Clear(denseRows, 0, rows);
            ForRowChunks(rows, (first, end) =>
            {
                for (var r = first; r < end; r++)
                {
                    var row = features.Row(r);
                    if (CountNonzero(row) <= maxSparseL0) DecodeSparse(row, reconstruction.Row(r));
                    else denseRows[r] = true;
                }
            });
            DecodeDense(features, reconstruction, denseRows.AsSpan(0, rows));
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(denseRows);
        }
        if (NormalizesPerToken)
            ForRowChunks(rows, (first, end) =>
            {
                for (var r = first; r < end; r++) NormalizeOut(input!.Row(r), reconstruction.Row(r));
            });
    }

    /// <summary>Encode and decode in one call: (f [rows, d_sae], x̂ [rows, d_in]).</summary>
    public (Tensor Features, Tensor Reconstruction) Forward(Tensor x)
    {
        var features = Encode(x);
        return (features, Decode(features, x));
    }

    /// <summary>Whether encode and decode depend on per-token statistics of the input (expected_average_only_in is a
    /// constant, folded into the weights).</summary>
    private bool NormalizesPerToken => Config.NormalizeActivations is ActivationNormalization.ConstantNormRescale or ActivationNormalization.LayerNorm;

    /// <summary>SAELens's <c>run_time_activation_norm_fn_in</c> on one token (statistics in float64, applied in
    /// float32). A zero vector, which SAELens would turn into NaN under constant_norm_rescale, is left as it is.</summary>
    private void NormalizeIn(ReadOnlySpan<float> x, Span<float> output)
    {
        switch (Config.NormalizeActivations)
        {
            case ActivationNormalization.ConstantNormRescale:
                TensorPrimitives.Multiply(x, NormRescale(x), output);
                break;
            case ActivationNormalization.LayerNorm:
                var (mean, std) = MeanAndStd(x);
                TensorPrimitives.Subtract(x, mean, output);
                TensorPrimitives.Divide(output, std + LayerNormEpsilon, output);
                break;
            default:
                x.CopyTo(output);
                break;
        }
    }

    /// <summary>SAELens's <c>run_time_activation_norm_fn_out</c>: x̂ back to the scale of the token <paramref name="x"/>.</summary>
    private void NormalizeOut(ReadOnlySpan<float> x, Span<float> reconstruction)
    {
        if (Config.NormalizeActivations == ActivationNormalization.ConstantNormRescale)
        {
            TensorPrimitives.Divide(reconstruction, NormRescale(x), reconstruction);
            return;
        }
        var (mean, std) = MeanAndStd(x);
        TensorPrimitives.Multiply(reconstruction, std, reconstruction);
        TensorPrimitives.Add(reconstruction, mean, reconstruction);
    }

    /// <summary>c = √d_in / ‖x‖ (1 for a zero vector).</summary>
    private float NormRescale(ReadOnlySpan<float> x)
    {
        double sumSquares = 0;
        foreach (var v in x) sumSquares += (double)v * v;
        return sumSquares > 0 ? (float)(Math.Sqrt(DIn) / Math.Sqrt(sumSquares)) : 1f;
    }

    /// <summary>μ and the unbiased σ of x − μ (torch's <c>std</c>, N − 1 in the denominator).</summary>
    private static (float Mean, float Std) MeanAndStd(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (var v in x) sum += v;
        var mean = (float)(sum / x.Length);
        double squares = 0;
        foreach (var v in x)
        {
            var centered = (double)(v - mean);
            squares += centered * centered;
        }
        return (mean, (float)Math.Sqrt(squares / (x.Length - 1)));
    }

    /// <summary>A new tensor of <paramref name="t"/>'s shape holding <paramref name="map"/>(t); <paramref name="t"/> is
    /// the caller's and stays unchanged.</summary>
    private static Tensor Map(Tensor t, SpanMap map)
    {
        var data = GC.AllocateUninitializedArray<float>(t.Data.Length);
        map(t.Data, data);
        return new Tensor(data, (int[])t.Shape.Clone());
    }

    private delegate void SpanMap(ReadOnlySpan<float> from, Span<float> to);

    /// <summary>Applies the activation function in place to one row of pre-activations.</summary>
    private void Activate(Span<float> pre)
    {
        switch (Architecture)
        {
            case SaeArchitecture.Standard:
                TensorPrimitives.Max(pre, 0f, pre);
                break;
            case SaeArchitecture.JumpRelu:
                var threshold = Threshold!.Data;
                for (var i = 0; i < pre.Length; i++)
                    if (!(pre[i] > threshold[i])) pre[i] = 0f;
                break;
            default:
                KeepTopKRelu(pre, K!.Value);
                break;
        }
    }

    /// <summary>Keeps the k largest entries of <paramref name="row"/>, ReLU'd, and zeroes the rest. Ties go to the lower
    /// index, as torch.topk picks them in practice.</summary>
    private static void KeepTopKRelu(Span<float> row, int k)
    {
        int[]? rented = null;
        Span<int> heap = k <= StackTopK ? stackalloc int[k] : (rented = ArrayPool<int>.Shared.Rent(k)).AsSpan(0, k);
        try
        {
            // Min-heap of the kept indices, root = the worst kept entry (smallest value; on equal values the higher index).
            var size = 0;
            for (var i = 0; i < row.Length; i++)
            {
                if (size < k)
                {
                    heap[size] = i;
                    SiftUp(row, heap, size++);
                }
                // Indices arrive in ascending order, so an equal value never displaces a kept one: strict '>'.
                else if (row[i] > row[heap[0]])
                {
                    heap[0] = i;
                    SiftDown(row, heap);
                }
            }

            heap.Sort();
            var next = 0;
            for (var i = 0; i < row.Length; i++)
            {
                if (next < k && heap[next] == i)
                {
                    row[i] = Math.Max(row[i], 0f);
                    next++;
                }
                else
                {
                    row[i] = 0f;
                }
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<int>.Shared.Return(rented);
        }
    }

    /// <summary>Heap order: a is "worse" than b (nearer the root) when smaller, or equal with a higher index.</summary>
    private static bool Worse(ReadOnlySpan<float> row, int a, int b) => row[a] < row[b] || (row[a] == row[b] && a > b);

    private static void SiftUp(ReadOnlySpan<float> row, Span<int> heap, int child)
    {
        while (child > 0)
        {
            var parent = (child - 1) / 2;
            if (!Worse(row, heap[child], heap[parent])) return;
            (heap[child], heap[parent]) = (heap[parent], heap[child]);
            child = parent;
        }
    }

    private static void SiftDown(ReadOnlySpan<float> row, Span<int> heap)
    {
        var parent = 0;
        while (true)
        {
            int left = 2 * parent + 1, right = left + 1, worst = parent;
            if (left < heap.Length && Worse(row, heap[left], heap[worst])) worst = left;
            if (right < heap.Length && Worse(row, heap[right], heap[worst])) worst = right;
            if (worst == parent) return;
            (heap[parent], heap[worst]) = (heap[worst], heap[parent]);
            parent = worst;
        }
    }

    private static int CountNonzero(ReadOnlySpan<float> row)
    {
        var count = 0;
        foreach (var value in row)
            if (value != 0f) count++;
        return count;
    }

    /// <summary>x̂ = Σ f_i·W_dec[i] over the nonzero f_i in ascending i, then + b_dec (as f·W_dec + b_dec rounds).</summary>
    private void DecodeSparse(ReadOnlySpan<float> features, Span<float> output)
    {
        output.Clear();
        for (var i = 0; i < features.Length; i++)
            if (features[i] != 0f)
                TensorPrimitives.MultiplyAdd(WDec.Row(i), features[i], output, output);
        TensorPrimitives.Add(output, BDec.Data, output);
    }

    /// <summary>GEMM for the rows flagged in <paramref name="denseRows"/>. When not all rows are flagged they are gathered
    /// <see cref="DenseGroupRows"/> at a time into a fixed-size batch (the rest of it zero): a row's GEMM result does not
    /// depend on the other rows, so this equals one GEMM over just the flagged rows, without a buffer per count.</summary>
    private void DecodeDense(Tensor features, Tensor reconstruction, ReadOnlySpan<bool> denseRows)
    {
        var denseCount = denseRows.Count(true);
        if (denseCount == 0) return;
        if (denseCount == denseRows.Length)
        {
            _backend.MatMul(features, WDec, reconstruction, bias: BDec);
            return;
        }
        using var lease = WorkspacePool<Temporary>.Rent();
        var gathered = lease.Workspace.Get(Temporary.DenseFeatures, DenseGroupRows, DSae);
        var output = lease.Workspace.Get(Temporary.DenseReconstruction, DenseGroupRows, DIn);
        Span<int> group = stackalloc int[DenseGroupRows];
        for (var next = 0; next < denseRows.Length;)
        {
            var count = 0;
            for (; next < denseRows.Length && count < DenseGroupRows; next++)
            {
                if (!denseRows[next]) continue;
                features.Row(next).CopyTo(gathered.Row(count));
                group[count++] = next;
            }
            if (count == 0) break;
            gathered.Data.AsSpan(count * DSae).Clear();
            _backend.MatMul(gathered, WDec, output, bias: BDec);
            for (var j = 0; j < count; j++) output.Row(j).CopyTo(reconstruction.Row(group[j]));
        }
    }

    /// <summary>Runs <paramref name="body"/>(first, end) over disjoint row ranges on the backend's threads.</summary>
    private void ForRowChunks(int rows, Action<int, int> body)
    {
        var chunks = (rows + RowsPerTask - 1) / RowsPerTask;
        if (chunks <= 1 || _parallel.MaxDegreeOfParallelism == 1)
        {
            body(0, rows);
            return;
        }
        Parallel.For(0, chunks, _parallel, c => body(c * RowsPerTask, Math.Min(rows, (c + 1) * RowsPerTask)));
    }

    private int RequireInput(Tensor x) =>
        x.Columns == DIn ? x.Rows : throw new ArgumentException($"input {x} must have {DIn} columns (d_in)", nameof(x));

    private static void RequireRows(Tensor t, string name, int rows, int columns)
    {
        if (t.Rows != rows || t.Columns != columns)
            throw new ArgumentException($"{name} {t} must be [{rows}, {columns}]", name);
    }

    private static void RequireShape(Tensor t, string name, params int[] shape)
    {
        if (!t.Shape.SequenceEqual(shape))
            throw new ArgumentException($"{name} {t} must be [{string.Join(", ", shape)}]", name);
    }
}
