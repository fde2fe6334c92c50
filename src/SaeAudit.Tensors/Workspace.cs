using System.Collections.Concurrent;

namespace SaeAudit.Tensors;

/// <summary>Reusable temporaries of a computation that runs once per batch, so the steady state allocates nothing:
/// <see cref="Get"/> hands out the same tensor for a slot every time it is asked for the same shape. A slot keeps the
/// two shapes it was last asked for, so a row chunk and a shorter last chunk (or two models' vocabularies) alternate
/// without reallocating. Contents are whatever the last user left: callers overwrite or clear them. Not thread-safe;
/// see <see cref="WorkspacePool{TSlot}"/>.</summary>
public sealed class Workspace<TSlot>
    where TSlot : struct, Enum
{
    private readonly Dictionary<TSlot, (Tensor? Recent, Tensor? Older)> _slots = [];

    /// <summary>The slot's [rows, columns] tensor, allocated (zeroed) the first time this shape is asked for.</summary>
    public Tensor Get(TSlot slot, int rows, int columns)
    {
        var (recent, older) = _slots.GetValueOrDefault(slot);
        if (Fits(recent, rows, columns)) return recent!;
        var tensor = Fits(older, rows, columns) ? older! : Tensor.Zeros(rows, columns);
        _slots[slot] = (tensor, recent);
        return tensor;
    }

    private static bool Fits(Tensor? tensor, int rows, int columns) =>
        tensor is not null && tensor.Rows == rows && tensor.Columns == columns;
}

/// <summary>The process's idle workspaces of one slot type. Work that may run on several threads at once rents one per
/// call and returns it, so concurrent calls never share buffers while sequential ones — the batches of a run, the base
/// and finetune models, one pair after another — reuse the same few, and nothing becomes garbage that only a full
/// collection would reclaim.</summary>
public static class WorkspacePool<TSlot>
    where TSlot : struct, Enum
{
    private static readonly ConcurrentBag<Workspace<TSlot>> Idle = [];

    /// <summary>A workspace for the caller alone until the lease is disposed.</summary>
    public static Lease Rent() => new(Idle.TryTake(out var workspace) ? workspace : new Workspace<TSlot>());

    public readonly struct Lease(Workspace<TSlot> workspace) : IDisposable
    {
        public Workspace<TSlot> Workspace => workspace;

        public void Dispose() => Idle.Add(workspace);
    }
}
