using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using SaeAudit.Tensors;

namespace SaeAudit.Evaluation.Metrics;

/// <summary>A checkpoint's tensors as the weight difference sees them: the stored keys and a way to open one, so
/// tensors are streamed a chunk at a time (never copied whole) and this class needs no checkpoint types.</summary>
public sealed record WeightTensors(IReadOnlyCollection<string> Keys, Func<string, StoredTensor> Open);

/// <summary>Reads elements [start, start + destination.Length) of a row-major tensor as float32.</summary>
public delegate void ElementReader(long start, Span<float> destination);

/// <summary>One stored tensor: its shape and a reader of its elements.</summary>
public sealed record StoredTensor(int[] Shape, ElementReader Read)
{
    public long ElementCount => Shape.Aggregate(1L, (count, size) => count * size);

    /// <summary>A tensor already in memory.</summary>
    public static StoredTensor Of(Tensor tensor) =>
        new(tensor.Shape, (start, destination) => tensor.Data.AsSpan(checked((int)start), destination.Length).CopyTo(destination));
}

/// <summary>SPEC §7 weight difference (a prior, no data): per tensor |W_F − W_B|_F / |W_B|_F, per layer group
/// sqrt(Σ|ΔW|²) / sqrt(Σ|W_B|²), and |W_U^F|_F / |W_U^B|_F, all in float64. When the finetune has added
/// vocabulary rows (first dimension larger, the rest equal) the shared rows are compared and a note says so.</summary>
public static class WeightDifference
{
    private const int ChunkSize = 1 << 16;

    public static WeightsResult Compute(WeightTensors baseWeights, WeightTensors finetuneWeights)
    {
        var baseKeys = CanonicalKeys(baseWeights.Keys);
        var finetuneKeys = CanonicalKeys(finetuneWeights.Keys);
        var shared = baseKeys.Keys.Where(finetuneKeys.ContainsKey).Order(StringComparer.Ordinal).ToList();
        var unembedding = WeightGroups.UnembeddingName(shared);
        var notes = new List<string>();
        foreach (var name in baseKeys.Keys.Except(shared).Order(StringComparer.Ordinal))
            notes.Add($"{name}: only in the base checkpoint, not compared");
        foreach (var name in finetuneKeys.Keys.Except(shared).Order(StringComparer.Ordinal))
            notes.Add($"{name}: only in the finetune checkpoint, not compared");

        var tensors = new Dictionary<string, double>();
        var groups = new Dictionary<string, (double Difference, double Base)>();
        var unembedNormRatio = double.NaN;
        foreach (var name in shared)
        {
            var w = baseWeights.Open(baseKeys[name]);
            var wf = finetuneWeights.Open(finetuneKeys[name]);
            var length = ComparableLength(name, w.Shape, wf.Shape, w.ElementCount, notes);
            if (length < 0) continue;
            var (difference, baseSquares, finetuneSquares) = Sums(w.Read, wf.Read, length);
            tensors[name] = Math.Sqrt(difference) / Math.Sqrt(baseSquares);
            var group = WeightGroups.Group(name);
            if (group is not null) AddToGroup(groups, group, difference, baseSquares);
            if (name != unembedding) continue;
            unembedNormRatio = Math.Sqrt(finetuneSquares) / Math.Sqrt(baseSquares);
            // A tied unembedding is the input embedding: it counts in both groups.
            if (group != WeightGroups.Unembedding) AddToGroup(groups, WeightGroups.Unembedding, difference, baseSquares);
        }

        var layers = new Dictionary<string, double>();
        foreach (var group in groups.Keys.OrderBy(GroupOrder).ThenBy(BlockIndex))
            layers[group] = Math.Sqrt(groups[group].Difference) / Math.Sqrt(groups[group].Base);
        return new WeightsResult(unembedNormRatio, tensors, layers) { Notes = notes.Count == 0 ? null : [.. notes] };
    }

    /// <summary>Elements to compare (a prefix of both row-major tensors), or −1 when the shapes are incompatible.</summary>
    private static long ComparableLength(string name, int[] shape, int[] finetuneShape, long elements, List<string> notes)
    {
        if (shape.SequenceEqual(finetuneShape)) return elements;
        var sameTrailing = shape.Length == finetuneShape.Length && shape.Length >= 1 && shape.Skip(1).SequenceEqual(finetuneShape.Skip(1));
        if (!sameTrailing)
        {
            notes.Add($"{name}: shapes [{string.Join(", ", shape)}] and [{string.Join(", ", finetuneShape)}] differ, not compared");
            return -1;
        }
        var rows = Math.Min(shape[0], finetuneShape[0]);
        notes.Add($"{name}: base has {shape[0]} rows, finetune {finetuneShape[0]}; compared the {rows} shared rows");
        return elements / shape[0] * rows;
    }

    /// <summary>Σ(W_F − W_B)², Σ W_B², Σ W_F² over the first <paramref name="length"/> elements, in float64 (float32
    /// differences are exact in float64), streamed in fixed chunks summed in chunk order: the same result whatever the
    /// thread count, and memory of a few chunks whatever the tensor's size.</summary>
    internal static (double Difference, double Base, double Finetune) Sums(ElementReader readBase, ElementReader readFinetune,
        long length)
    {
        var chunks = (int)((length + ChunkSize - 1) / ChunkSize);
        var partials = new (double, double, double)[chunks];
        var buffers = new ConcurrentBag<(float[] Base, float[] Finetune)>();
        Parallel.For(0, chunks, c =>
        {
            var start = (long)c * ChunkSize;
            var count = (int)Math.Min(ChunkSize, length - start);
            if (!buffers.TryTake(out var buffer)) buffer = (new float[ChunkSize], new float[ChunkSize]);
            var baseValues = buffer.Base.AsSpan(0, count);
            var finetuneValues = buffer.Finetune.AsSpan(0, count);
            readBase(start, baseValues);
            readFinetune(start, finetuneValues);
            double difference = 0, baseSquares = 0, finetuneSquares = 0;
            for (var i = 0; i < count; i++)
            {
                double b = baseValues[i], f = finetuneValues[i];
                difference += (f - b) * (f - b);
                baseSquares += b * b;
                finetuneSquares += f * f;
            }
            partials[c] = (difference, baseSquares, finetuneSquares);
            buffers.Add(buffer);
        });
        double totalDifference = 0, totalBase = 0, totalFinetune = 0;
        foreach (var (difference, baseSquares, finetuneSquares) in partials)
        {
            totalDifference += difference;
            totalBase += baseSquares;
            totalFinetune += finetuneSquares;
        }
        return (totalDifference, totalBase, totalFinetune);
    }

    private static Dictionary<string, string> CanonicalKeys(IEnumerable<string> keys)
    {
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var name = WeightGroups.CanonicalName(key);
            if (!WeightGroups.IsBuffer(name)) byName[name] = key;
        }
        return byName;
    }

    private static void AddToGroup(Dictionary<string, (double Difference, double Base)> groups, string group,
        double difference, double baseSquares)
    {
        var (d, b) = groups.GetValueOrDefault(group);
        groups[group] = (d + difference, b + baseSquares);
    }

    private static int GroupOrder(string group) => group switch
    {
        WeightGroups.Embedding => 0,
        WeightGroups.FinalNorm => 2,
        WeightGroups.Unembedding => 3,
        _ => 1,
    };

    private static int BlockIndex(string group) =>
        group.StartsWith(WeightGroups.BlockPrefix, StringComparison.Ordinal) ? int.Parse(group[WeightGroups.BlockPrefix.Length..]) : -1;
}

/// <summary>SPEC §11 <c>weights</c>. <see cref="Notes"/> says what was not compared in full (added vocabulary rows,
/// tensors in one checkpoint only); null when everything was.</summary>
public sealed record WeightsResult(
    [property: JsonPropertyName("unembed_norm_ratio"), JsonConverter(typeof(NanAsNullConverter))] double UnembedNormRatio,
    [property: JsonPropertyName("tensors"), JsonConverter(typeof(NanAsNullMapConverter))] IReadOnlyDictionary<string, double> Tensors,
    [property: JsonPropertyName("layers"), JsonConverter(typeof(NanAsNullMapConverter))] IReadOnlyDictionary<string, double> Layers)
{
    [JsonPropertyName("notes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string[]? Notes { get; init; }
}
