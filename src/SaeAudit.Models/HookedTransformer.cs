using SaeAudit.Models.Architectures;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models;

/// <summary>Runs any <see cref="ITransformer"/> with hooks: read the activation at every hook point
/// (<see cref="Run"/>), or run the layers before one hook once (<see cref="RunToHook"/>) and the rest several times
/// with different substitutes (<see cref="ContinueFromHook"/>, then <see cref="UnembedRows"/> in row chunks), as the
/// spliced losses of SPEC §5 need. The activations of a call live in a workspace rented for the call from
/// <see cref="WorkspacePool{TSlot}"/>, so calls may run concurrently and a stream of batches allocates no activations.</summary>
public sealed class HookedTransformer : IDisposable
{
    public HookedTransformer(ITransformer model) => Model = model;

    public ITransformer Model { get; }

    public ModelConfig Config => Model.Config;

    public Checkpoint Checkpoint => Model.Checkpoint;

    public int Layers => Model.Layers;

    public int DModel => Model.DModel;

    public int VocabSize => Model.VocabSize;

    public IReadOnlyList<HookPoint> HookPoints => HookPoint.All(Model.Layers);

    /// <summary>Whether <paramref name="hook"/> names a layer this model has.</summary>
    public bool Offers(HookPoint hook) => hook.Layer >= 0 && hook.Layer < Model.Layers;

    /// <summary>Full forward pass; <paramref name="observe"/> sees every hook's activation [tokens, d] in forward
    /// order (a live buffer: copy what you keep). Returns logits [tokens, vocab].</summary>
    public Tensor Run(TokenBatch tokens, Action<HookPoint, Tensor>? observe = null)
    {
        using var lease = WorkspacePool<ForwardBuffer>.Rent();
        var workspace = lease.Workspace;
        var residual = Tensor.Zeros(tokens.Tokens, Model.DModel);
        Model.Embed(tokens, residual, workspace);
        BranchHook? branchHook = observe is null ? null : (hook, branch) => observe(hook, branch);
        for (var layer = 0; layer < Model.Layers; layer++)
        {
            observe?.Invoke(new HookPoint(layer, HookKind.ResidPre), residual);
            Model.Block(layer, residual, tokens, branchHook, workspace);
            observe?.Invoke(new HookPoint(layer, HookKind.ResidPost), residual);
        }
        var logits = Tensor.Zeros(tokens.Tokens, Model.VocabSize);
        Model.Unembed(residual, logits, workspace);
        return logits;
    }

    /// <summary>Runs the layers before <paramref name="hook"/> and captures its activation. With
    /// <paramref name="reuse"/> (an earlier prefix of this model, e.g. the previous batch's) its buffers are
    /// overwritten and it is returned, when they fit.</summary>
    public HookedPrefix RunToHook(TokenBatch tokens, HookPoint hook, HookedPrefix? reuse = null)
    {
        RequireOffered(hook);
        var isBranch = hook.Kind is HookKind.AttnOut or HookKind.MlpOut;
        var prefix = reuse is not null && reuse.Fits(tokens, Model.DModel, isBranch)
            ? reuse.Reset(tokens, hook)
            : HookedPrefix.Create(tokens, hook, Model.DModel, isBranch);

        using var lease = WorkspacePool<ForwardBuffer>.Rent();
        var workspace = lease.Workspace;
        // For a residual hook the activation is the residual itself; a branch hook sits inside block L, so the
        // block's input is kept to rerun the block with a substitute.
        var residual = prefix.ResidualBeforeBlock ?? prefix.Activation;
        Model.Embed(tokens, residual, workspace);
        var blocksBefore = hook.Kind == HookKind.ResidPost ? hook.Layer + 1 : hook.Layer;
        for (var layer = 0; layer < blocksBefore; layer++)
            Model.Block(layer, residual, tokens, null, workspace);
        if (!isBranch) return prefix;

        var blockOutput = workspace.Get(ForwardBuffer.Residual, tokens.Tokens, Model.DModel);
        residual.AsSpan().CopyTo(blockOutput.AsSpan());
        Model.Block(hook.Layer, blockOutput, tokens, (point, branch) =>
        {
            if (point == hook) branch.AsSpan().CopyTo(prefix.Activation.AsSpan());
        }, workspace);
        return prefix;
    }

    /// <summary>Continues from a prefix with <paramref name="substitute"/> [tokens, d] in place of the hook's
    /// activation and returns logits [tokens, vocab]. The prefix is left unchanged, so it can be reused. For large
    /// vocabularies prefer <see cref="ContinueFromHook"/> and <see cref="UnembedRows"/>, which never hold all the logits.</summary>
    public Tensor RunFromHook(HookedPrefix prefix, Tensor substitute)
    {
        var residual = Tensor.Zeros(prefix.Tokens.Tokens, Model.DModel);
        ContinueFromHook(prefix, substitute, residual);
        var logits = Tensor.Zeros(prefix.Tokens.Tokens, Model.VocabSize);
        UnembedRows(residual, 0, logits);
        return logits;
    }

    /// <summary>Continues from a prefix with <paramref name="substitute"/> [tokens, d] in place of the hook's
    /// activation up to the final residual (before the final norm), written into <paramref name="residual"/>
    /// [tokens, d]; <see cref="UnembedRows"/> turns it into logits. The prefix is left unchanged.</summary>
    public void ContinueFromHook(HookedPrefix prefix, Tensor substitute, Tensor residual)
    {
        if (substitute.Length != prefix.Activation.Length)
            throw new ArgumentException($"substitute {substitute} does not match the hook activation {prefix.Activation}");
        if (residual.Rows != prefix.Tokens.Tokens || residual.Columns != Model.DModel)
            throw new ArgumentException($"residual {residual} must be [{prefix.Tokens.Tokens}, {Model.DModel}]");
        var tokens = prefix.Tokens;
        var hook = prefix.Hook;
        using var lease = WorkspacePool<ForwardBuffer>.Rent();
        var workspace = lease.Workspace;
        int firstBlock;
        if (prefix.ResidualBeforeBlock is null)
        {
            substitute.AsSpan().CopyTo(residual.AsSpan());
            firstBlock = hook.Kind == HookKind.ResidPost ? hook.Layer + 1 : hook.Layer;
        }
        else
        {
            prefix.ResidualBeforeBlock.AsSpan().CopyTo(residual.AsSpan());
            Model.Block(hook.Layer, residual, tokens, (point, branch) =>
            {
                if (point == hook) substitute.AsSpan().CopyTo(branch.AsSpan());
            }, workspace);
            firstBlock = hook.Layer + 1;
        }
        for (var layer = firstBlock; layer < Model.Layers; layer++)
            Model.Block(layer, residual, tokens, null, workspace);
    }

    /// <summary>Logits [rows, vocab] of the final residual's rows [<paramref name="firstRow"/>, firstRow + rows),
    /// rows = <paramref name="logits"/>.Rows: bit-identical to those rows of the whole batch's logits, so a consumer
    /// can take them in chunks and never hold [tokens, vocab].</summary>
    public void UnembedRows(Tensor residual, int firstRow, Tensor logits) => UnembedRows([residual], firstRow, logits);

    /// <summary>The same rows of several final residuals (runs of one batch) unembedded in one GEMM, into
    /// <paramref name="logits"/> [runs × rows, vocab], run after run: W_U is read once for all of them. Each row is
    /// bit-identical to the single-residual result.</summary>
    public void UnembedRows(IReadOnlyList<Tensor> residuals, int firstRow, Tensor logits)
    {
        int d = Model.DModel, runs = residuals.Count;
        if (runs == 0 || logits.Rows % runs != 0)
            throw new ArgumentException($"logits {logits} do not split into {runs} runs");
        var rows = logits.Rows / runs;
        foreach (var residual in residuals)
            if (residual.Columns != d || firstRow < 0 || firstRow + rows > residual.Rows)
                throw new ArgumentException($"rows [{firstRow}, {firstRow + rows}) are not in the residual {residual}");
        if (logits.Columns != Model.VocabSize)
            throw new ArgumentException($"logits {logits} must have {Model.VocabSize} columns");
        using var lease = WorkspacePool<ForwardBuffer>.Rent();
        var workspace = lease.Workspace;
        var stacked = residuals[0];
        if (runs > 1 || rows != stacked.Rows)
        {
            stacked = workspace.Get(ForwardBuffer.ResidualRows, runs * rows, d);
            for (var run = 0; run < runs; run++)
                residuals[run].Data.AsSpan(firstRow * d, rows * d).CopyTo(stacked.Data.AsSpan(run * rows * d));
        }
        Model.Unembed(stacked, logits, workspace);
    }

    public void Dispose() => Model.Checkpoint.Dispose();

    private void RequireOffered(HookPoint hook)
    {
        if (!Offers(hook))
            throw new InvalidInputException(
                $"{Checkpoint.Directory}: hook {hook} is out of range: the model has layers 0..{Model.Layers - 1}");
    }
}

/// <summary>The state after the layers before a hook: its activation, and for branch hooks the block's input.</summary>
public sealed class HookedPrefix
{
    private HookedPrefix(TokenBatch tokens, HookPoint hook, Tensor activation, Tensor? residualBeforeBlock)
    {
        Tokens = tokens;
        Hook = hook;
        Activation = activation;
        ResidualBeforeBlock = residualBeforeBlock;
    }

    public TokenBatch Tokens { get; private set; }

    public HookPoint Hook { get; private set; }

    /// <summary>The hook's activation [tokens, d].</summary>
    public Tensor Activation { get; }

    internal Tensor? ResidualBeforeBlock { get; }

    /// <summary>Floats this prefix holds (what keeping it costs).</summary>
    public long Floats => Activation.Length + (ResidualBeforeBlock?.Length ?? 0);

    internal static HookedPrefix Create(TokenBatch tokens, HookPoint hook, int d, bool isBranch) =>
        new(tokens, hook, Tensor.Zeros(tokens.Tokens, d), isBranch ? Tensor.Zeros(tokens.Tokens, d) : null);

    internal bool Fits(TokenBatch tokens, int d, bool isBranch) =>
        Activation.Rows == tokens.Tokens && Activation.Columns == d && (ResidualBeforeBlock is not null) == isBranch;

    internal HookedPrefix Reset(TokenBatch tokens, HookPoint hook)
    {
        Tokens = tokens;
        Hook = hook;
        return this;
    }
}
