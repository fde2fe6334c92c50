using SaeAudit.Models;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Models.Tokenizers;

namespace SaeAudit.Cli.Tracing;

/// <summary>Token ids to trace, <see cref="Rows"/> × <see cref="Length"/>, checked against the model's config before
/// anything runs. <see cref="SingleRow"/> inputs (a 1-D .npy, or --text) give outputs without the row dimension.</summary>
internal sealed record TraceInput(int[] Ids, int Rows, int Length, bool SingleRow)
{
    public TokenBatch Batch => new(Ids, Rows, Length);

    /// <summary>Shape of a per-token output with <paramref name="width"/> values per token.</summary>
    public int[] ShapeOf(int width) => SingleRow ? [Length, width] : [Rows, Length, width];

    /// <summary>An int32/int64 .npy of shape [len] or [rows, len].</summary>
    public static TraceInput FromNpy(string path, ModelConfig config)
    {
        var array = NpyFile.Read(path);
        if (array.DType is not ("<i4" or "<i8"))
            throw InvalidInputException.For(array.Path, "descr", $"token ids are {array.DType}, expected int32 (<i4) or int64 (<i8)");
        var shape = array.Shape;
        if (shape.Count is not (1 or 2))
            throw InvalidInputException.For(array.Path, "shape",
                $"token ids have shape [{string.Join(", ", shape)}], expected [len] or [rows, len]");
        var rows = shape.Count == 1 ? 1 : shape[0];
        var length = shape[^1];
        return Checked(array.Path, array.ToInt32(), rows, length, singleRow: shape.Count == 1, config);
    }

    /// <summary><paramref name="text"/> encoded with the model folder's tokenizer.json, without special tokens.</summary>
    public static TraceInput FromText(string text, string modelDirectory, ModelConfig config)
    {
        var tokenizerPath = Path.GetFullPath(Path.Combine(modelDirectory, "tokenizer.json"));
        var ids = Tokenizer.Load(tokenizerPath).Encode(text, addSpecialTokens: false);
        return Checked(tokenizerPath, ids, rows: 1, ids.Length, singleRow: true, config);
    }

    private static TraceInput Checked(string source, int[] ids, int rows, int length, bool singleRow, ModelConfig config)
    {
        if (rows == 0 || length == 0)
            throw InvalidInputException.For(source, "shape", $"no tokens to trace ({rows} rows of {length})");
        if (length > config.MaxPositions)
            throw InvalidInputException.For(source, "shape",
                $"sequences of {length} tokens exceed the model's {config.MaxPositions} positions ({config.Path})");
        for (var i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)config.VocabSize)
                throw InvalidInputException.For(source, $"row {i / length}, position {i % length}",
                    $"token id {ids[i]} is outside the model's vocabulary [0, {config.VocabSize})");
        }
        return new TraceInput(ids, rows, length, singleRow);
    }
}
