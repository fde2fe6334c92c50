using System.Text.Json;
using SaeAudit.Tensors;

namespace SaeAudit.Models.Checkpoints;

/// <summary>The weights of a Hugging Face model: one <c>model.safetensors</c> or the shards listed by
/// <c>model.safetensors.index.json</c>, all memory-mapped until <see cref="Dispose"/>.</summary>
public sealed class Checkpoint : IDisposable
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly Dictionary<string, SafetensorsFile> _fileOf;
    private readonly List<SafetensorsFile> _files;

    private Checkpoint(string directory, string? indexFile, List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> fileOf)
    {
        Directory = directory;
        IndexFile = indexFile;
        _files = files;
        _fileOf = fileOf;
        TensorNames = fileOf.Keys.Order(StringComparer.Ordinal).ToArray();
        Files = (indexFile is null ? Array.Empty<string>() : [indexFile]).Concat(files.Select(f => f.Path)).ToArray();

        var byDType = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var name in TensorNames)
        {
            var entry = fileOf[name].Tensors[name];
            ParameterCount += entry.ElementCount;
            byDType[entry.DType.Name()] = byDType.GetValueOrDefault(entry.DType.Name()) + entry.ElementCount;
        }
        ParameterCountByDType = byDType;
    }

    /// <summary>The model folder (for a direct .safetensors path, the folder holding it).</summary>
    public string Directory { get; }

    /// <summary>The shard index, when the checkpoint is sharded.</summary>
    public string? IndexFile { get; }

    /// <summary>Every file the weights were read from (the index first, then the safetensors files in name order),
    /// for provenance hashes.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>All tensor names, ordinal-sorted.</summary>
    public IReadOnlyList<string> TensorNames { get; }

    /// <summary>Total number of elements over all tensors.</summary>
    public long ParameterCount { get; }

    /// <summary>Element counts per dtype name ("F32", "BF16", ...).</summary>
    public IReadOnlyDictionary<string, long> ParameterCountByDType { get; }

    /// <summary>Opens a model folder (<c>model.safetensors</c>, else <c>model.safetensors.index.json</c>), a
    /// <c>.safetensors</c> file or a <c>.safetensors.index.json</c> file.</summary>
    public static Checkpoint Open(string path)
    {
        path = Path.GetFullPath(path);
        if (File.Exists(path))
        {
            if (path.EndsWith(".index.json", StringComparison.Ordinal)) return OpenSharded(path);
            if (path.EndsWith(".safetensors", StringComparison.Ordinal)) return OpenSingle(path);
            throw InvalidInputException.For(path, null, "expected a model folder, a .safetensors file or a .safetensors.index.json file");
        }
        if (!System.IO.Directory.Exists(path)) throw InvalidInputException.For(path, null, "model path does not exist");

        var single = Path.Combine(path, SingleFileName);
        if (File.Exists(single)) return OpenSingle(single);
        var index = Path.Combine(path, IndexFileName);
        if (File.Exists(index)) return OpenSharded(index);
        var hint = File.Exists(Path.Combine(path, "pytorch_model.bin")) || File.Exists(Path.Combine(path, "pytorch_model.bin.index.json"))
            ? " (pytorch_model.bin pickles are not read: convert the model to safetensors)"
            : "";
        throw InvalidInputException.For(path, null, $"no {SingleFileName} or {IndexFileName} in the model folder{hint}");
    }

    public bool Contains(string name) => _fileOf.ContainsKey(name);

    /// <summary>Dtype, shape and file of <paramref name="name"/>; an <see cref="InvalidInputException"/> when absent.</summary>
    public CheckpointTensor Entry(string name)
    {
        var file = FileOf(name);
        return new CheckpointTensor(file.Tensors[name], file.Path);
    }

    /// <summary>Loads a float tensor as float32 (BF16/F16 widened exactly).</summary>
    public Tensor LoadFloat32(string name) => FileOf(name).LoadFloat32(name);

    /// <summary>Loads a float tensor as float32 after checking its shape, so a config/weights mismatch is reported
    /// as bad input naming the tensor instead of failing later in the arithmetic.</summary>
    public Tensor LoadFloat32(string name, params int[] expectedShape) => CheckedFile(name, expectedShape).LoadFloat32(name);

    /// <summary>A weight matrix [rows, columns] read in place from the mapping (see <see cref="SafetensorsFile.Weights"/>),
    /// after the same shape check as <see cref="LoadFloat32(string, int[])"/>.</summary>
    public WeightMatrix LoadWeights(string name, int rows, int columns) => CheckedFile(name, [rows, columns]).Weights(name);

    /// <summary>Elements [<paramref name="start"/>, start + destination.Length) of a float tensor as float32, read in
    /// place (see <see cref="SafetensorsFile.ReadFloat32(string, long, Span{float})"/>).</summary>
    public void ReadFloat32(string name, long start, Span<float> destination) => FileOf(name).ReadFloat32(name, start, destination);

    /// <summary>The stored elements of <paramref name="name"/> without a copy (see <see cref="SafetensorsFile.RawSpan{T}"/>).</summary>
    public ReadOnlySpan<T> RawSpan<T>(string name) where T : unmanaged => FileOf(name).RawSpan<T>(name);

    public void Dispose()
    {
        foreach (var file in _files) file.Dispose();
    }

    private SafetensorsFile CheckedFile(string name, int[] expectedShape)
    {
        var file = FileOf(name);
        var entry = file.Tensors[name];
        if (!entry.Shape.SequenceEqual(expectedShape))
            throw InvalidInputException.For(file.Path, SafetensorsHeader.TensorField(name),
                $"shape is {entry.ShapeText}, expected {TensorEntry.FormatShape(expectedShape)} from config.json");
        return file;
    }

    private SafetensorsFile FileOf(string name) =>
        _fileOf.TryGetValue(name, out var file)
            ? file
            : throw InvalidInputException.For(Directory, SafetensorsHeader.TensorField(name),
                $"not found in the checkpoint ({_fileOf.Count} tensors)");

    private static Checkpoint OpenSingle(string file)
    {
        var opened = SafetensorsFile.Open(file);
        var fileOf = opened.Tensors.Keys.ToDictionary(name => name, _ => opened, StringComparer.Ordinal);
        return new Checkpoint(Path.GetDirectoryName(file)!, null, [opened], fileOf);
    }

    private static Checkpoint OpenSharded(string indexFile)
    {
        var directory = Path.GetDirectoryName(indexFile)!;
        var weightMap = ReadWeightMap(indexFile, directory);
        var shards = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            var fileOf = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var (name, shardPath) in weightMap)
            {
                if (!shards.TryGetValue(shardPath, out var shard))
                {
                    if (!File.Exists(shardPath))
                        throw InvalidInputException.For(indexFile, $"weight_map[\"{name}\"]",
                            $"shard {Path.GetFileName(shardPath)} does not exist in {directory}");
                    shard = SafetensorsFile.Open(shardPath);
                    shards.Add(shardPath, shard);
                }
                if (!shard.Contains(name))
                    throw InvalidInputException.For(shard.Path, SafetensorsHeader.TensorField(name),
                        $"listed in {IndexFileName} but not present in this shard");
                fileOf.Add(name, shard);
            }
            var files = shards.Values.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
            return new Checkpoint(directory, indexFile, files, fileOf);
        }
        catch
        {
            foreach (var shard in shards.Values) shard.Dispose();
            throw;
        }
    }

    /// <summary>Tensor name → full shard path, from the index's <c>weight_map</c>.</summary>
    private static List<(string Name, string ShardPath)> ReadWeightMap(string indexFile, string directory)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(indexFile));
        }
        catch (JsonException e)
        {
            throw InvalidInputException.For(indexFile, null, $"is not valid JSON ({e.Message})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw InvalidInputException.For(indexFile, null, $"is a JSON {SafetensorsHeader.Describe(root)}, expected an object");
            if (!root.TryGetProperty("weight_map", out var map))
                throw InvalidInputException.For(indexFile, "weight_map", "missing");
            if (map.ValueKind != JsonValueKind.Object)
                throw InvalidInputException.For(indexFile, "weight_map",
                    $"is a JSON {SafetensorsHeader.Describe(map)}, expected an object of tensor name -> shard file");

            var result = new List<(string, string)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var folder = Path.TrimEndingDirectorySeparator(directory) + Path.DirectorySeparatorChar;
            foreach (var entry in map.EnumerateObject())
            {
                var field = $"weight_map[\"{entry.Name}\"]";
                if (!seen.Add(entry.Name)) throw InvalidInputException.For(indexFile, field, "appears twice");
                if (entry.Value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(entry.Value.GetString()))
                    throw InvalidInputException.For(indexFile, field, $"is {entry.Value.GetRawText()}, expected a shard file name");
                var shard = entry.Value.GetString()!;
                var shardPath = Path.GetFullPath(Path.Combine(directory, shard));
                // A weight map is data from the internet: it must not point outside the model folder.
                if (!shardPath.StartsWith(folder, StringComparison.Ordinal))
                    throw InvalidInputException.For(indexFile, field, $"shard \"{shard}\" is outside the model folder");
                result.Add((entry.Name, shardPath));
            }
            if (result.Count == 0) throw InvalidInputException.For(indexFile, "weight_map", "is empty");
            return result;
        }
    }
}
