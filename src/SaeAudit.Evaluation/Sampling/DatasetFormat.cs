using SaeAudit.Models;

namespace SaeAudit.Evaluation.Sampling;

/// <summary>The dataset files SPEC §2 reads, told apart by extension.</summary>
public enum DatasetFormat
{
    /// <summary><c>.jsonl</c>: one JSON object per line, the document in a string field.</summary>
    Jsonl,

    /// <summary><c>.txt</c>: documents separated by blank lines.</summary>
    Text,

    /// <summary><c>.npy</c>: a pre-tokenized integer array [rows, context].</summary>
    Npy,

    /// <summary><c>.safetensors</c>: a pre-tokenized integer tensor [rows, context].</summary>
    Safetensors,
}

public static class DatasetFormats
{
    /// <summary>The format of <paramref name="path"/> by its extension (case-insensitive); an unknown extension is an
    /// <see cref="InvalidInputException"/> naming the file.</summary>
    public static DatasetFormat Of(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jsonl" => DatasetFormat.Jsonl,
        ".txt" => DatasetFormat.Text,
        ".npy" => DatasetFormat.Npy,
        ".safetensors" => DatasetFormat.Safetensors,
        var other => throw InvalidInputException.For(path, null,
            $"unsupported dataset format '{other}' (expected .jsonl, .txt, .npy or .safetensors)"),
    };

    /// <summary>True for .jsonl and .txt, which are tokenized; false for pre-tokenized arrays.</summary>
    public static bool IsText(this DatasetFormat format) => format is DatasetFormat.Jsonl or DatasetFormat.Text;
}
