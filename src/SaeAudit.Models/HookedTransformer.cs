using SaeAudit.Models.Architectures;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Models;

/// <summary>Runs any <see cref="ITransformer"/> with hooks: read the activation at every hook point
/// (<see cref="Run"/>), or run the layers before one hook once (<see cref="RunToHook"/>) and the rest several times
/// with different substitutes (<see cref="RunFromHook"/>), as the spliced losses of SPEC §5 need.</summary>
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
        var residual = Tensor.Zeros(tokens.Tokens, Model.DModel);
        Model.Embed(tokens, residual);
        BranchHook? branchHook = observe is null ? null : (hook, branch) => observe(hook, branch);
        for (var layer = 0; layer < Model.Layers; layer++)
        {
            observe?.Invoke(new HookPoint(layer, HookKind.ResidPre), residual);
            Model.Block(layer, residual, tokens, branchHook);
            observe?.Invoke(new HookPoint(layer, HookKind.ResidPost), residual);
        }
        var logits = Tensor.Zeros(tokens.Tokens, Model.VocabSize);
        Model.Unembed(residual, logits);
        return logits;
    }

    /// <summary>Runs the layers before <paramref name="hook"/> and captures its activation.</summary>
    public HookedPrefix RunToHook(TokenBatch tokens, HookPoint hook)
    {
        RequireOffered(hook);
        var residual = Tensor.Zeros(tokens.Tokens, Model.DModel);
        Model.Embed(tokens, residual);
        var blocksBefore = hook.Kind == HookKind.ResidPost ? hook.Layer + 1 : hook.Layer;
        for (var layer = 0; layer < blocksBefore; layer++)
            Model.Block(layer, residual, tokens, null);

        if (hook.Kind is HookKind.ResidPre or HookKind.ResidPost)
            return new HookedPrefix(tokens, hook, residual, residualBeforeBlock: null);

        // A branch hook sits inside block L: keep the block's input so the block can be rerun with a substitute.
        var blockInput = Copy(residual);
        Tensor? captured = null;
        Model.Block(hook.Layer, residual, tokens, (point, branch) =>
        {
            if (point == hook) captured = Copy(branch);
        });
        return new HookedPrefix(tokens, hook, captured!, blockInput);
    }

    /// <summary>Continues from a prefix with <paramref name="substitute"/> [tokens, d] in place of the hook's
    /// activation and returns logits [tokens, vocab]. The prefix is left unchanged, so it can be reused.</summary>
    public Tensor RunFromHook(HookedPrefix prefix, Tensor substitute)
    {
        if (substitute.Length != prefix.Activation.Length)
            throw new ArgumentException($"substitute {substitute} does not match the hook activation {prefix.Activation}");
        var tokens = prefix.Tokens;
        var hook = prefix.Hook;
        Tensor residual;
        int firstBlock;
        if (prefix.ResidualBeforeBlock is null)
        {
            residual = Copy(substitute);
            firstBlock = hook.Kind == HookKind.ResidPost ? hook.Layer + 1 : hook.Layer;
        }
        else
        {
            residual = Copy(prefix.ResidualBeforeBlock);
            Model.Block(hook.Layer, residual, tokens, (point, branch) =>
            {
                if (point == hook) substitute.AsSpan().CopyTo(branch.AsSpan());
            });
            firstBlock = hook.Layer + 1;
        }
        for (var layer = firstBlock; layer < Model.Layers; layer++)
            Model.Block(layer, residual, tokens, null);
        var logits = Tensor.Zeros(tokens.Tokens, Model.VocabSize);
        Model.Unembed(residual, logits);
        return logits;
    }

    public void Dispose() => Model.Checkpoint.Dispose();

    private void RequireOffered(HookPoint hook)
    {
        if (!Offers(hook))
            throw new InvalidInputException(
                $"{Checkpoint.Directory}: hook {hook} is out of range: the model has layers 0..{Model.Layers - 1}");
    }

    private static Tensor Copy(Tensor source) => new((float[])source.Data.Clone(), (int[])source.Shape.Clone());
}

/// <summary>The state after the layers before a hook: its activation, and for branch hooks the block's input.</summary>
public sealed class HookedPrefix
{
    internal HookedPrefix(TokenBatch tokens, HookPoint hook, Tensor activation, Tensor? residualBeforeBlock)
    {
        Tokens = tokens;
        Hook = hook;
        Activation = activation;
        ResidualBeforeBlock = residualBeforeBlock;
    }

    public TokenBatch Tokens { get; }

    public HookPoint Hook { get; }

    /// <summary>The hook's activation [tokens, d].</summary>
    public Tensor Activation { get; }

    internal Tensor? ResidualBeforeBlock { get; }
}
