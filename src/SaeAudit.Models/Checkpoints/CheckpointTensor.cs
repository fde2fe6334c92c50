namespace SaeAudit.Models.Checkpoints;

/// <summary>Where a checkpoint tensor lives: its header entry and the safetensors file (shard) holding it.</summary>
public sealed record CheckpointTensor(TensorEntry Entry, string File)
{
    public string Name => Entry.Name;

    public SafetensorsDType DType => Entry.DType;

    public IReadOnlyList<int> Shape => Entry.Shape;
}
