using SaeAudit.Models;
using SaeAudit.Models.Checkpoints;

namespace SaeAudit.Evaluation.Sampling;

/// <summary>A pre-tokenized dataset: an integer array [rows, width] of token ids from a <c>.npy</c> file or a
/// <c>.safetensors</c> file, whose rows are used as they are (SPEC §2, §12). Ids are held as int32, row-major.</summary>
public sealed class PreTokenizedDataset
{
    /// <summary>Tensor names a .safetensors dataset may use when it holds more than one integer tensor, in preference order.</summary>
    public static IReadOnlyList<string> TensorNames { get; } = ["input_ids", "tokens"];

    private PreTokenizedDataset(string path, int rows, int width, int[] tokens)
    {
        Path = path;
        Rows = rows;
        Width = width;
        Tokens = tokens;
    }

    public string Path { get; }

    public int Rows { get; }

    /// <summary>Tokens per row: the context the rows are evaluated at.</summary>
    public int Width { get; }

    /// <summary>Rows × Width ids, row-major.</summary>
    public int[] Tokens { get; }

    public ReadOnlySpan<int> Row(int row) => Tokens.AsSpan(row * Width, Width);

    /// <summary>Reads a .npy or .safetensors dataset; a non-integer or non-2-D array, a negative id, or (safetensors)
    /// no identifiable token tensor is an <see cref="InvalidInputException"/> naming the file.</summary>
    public static PreTokenizedDataset Read(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        var (shape, tokens, field) = DatasetFormats.Of(path) switch
        {
            DatasetFormat.Npy => ReadNpy(path),
            DatasetFormat.Safetensors => ReadSafetensors(path),
            var format => throw new ArgumentException($"{path} is a {format} text dataset, not pre-tokenized", nameof(path)),
        };
        if (shape.Count != 2 || shape[0] == 0 || shape[1] == 0)
            throw InvalidInputException.For(path, field,
                $"shape [{string.Join(", ", shape)}]: expected a non-empty 2-D array [rows, context] of token ids");
        var negative = Array.FindIndex(tokens, id => id < 0);
        if (negative >= 0)
            throw InvalidInputException.For(path, field,
                $"row {negative / shape[1]}, column {negative % shape[1]}: token id {tokens[negative]} is negative");
        return new PreTokenizedDataset(path, shape[0], shape[1], tokens);
    }

    private static (IReadOnlyList<int> Shape, int[] Tokens, string Field) ReadNpy(string path)
    {
        var array = NpyFile.Read(path);
        return (array.Shape, array.ToInt32(), "shape");
    }

    private static (IReadOnlyList<int> Shape, int[] Tokens, string Field) ReadSafetensors(string path)
    {
        using var file = SafetensorsFile.Open(path);
        var name = TensorNames.FirstOrDefault(file.Contains) ?? SingleIntegerTensor(file);
        var entry = file.Entry(name);
        return (entry.Shape, file.LoadInt32(name), $"tensor '{name}'");
    }

    private static string SingleIntegerTensor(SafetensorsFile file)
    {
        var integers = file.Tensors.Values.Where(t => t.DType.IsInteger()).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        if (integers.Count == 1) return integers[0];
        if (file.Tensors.Count == 1) return file.Tensors.Keys.Single(); // a lone non-integer tensor: LoadInt32 names its dtype
        throw InvalidInputException.For(file.Path, null,
            $"cannot tell which tensor holds the token ids: expected one named {string.Join(" or ", TensorNames)}, or a single " +
            $"integer tensor (found {(file.Tensors.Count == 0 ? "none" : string.Join(", ", file.Tensors.Values.Select(t => t.ToString())))})");
    }
}
