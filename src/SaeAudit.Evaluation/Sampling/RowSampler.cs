using System.Runtime.InteropServices;
using SaeAudit.Models;
using SaeAudit.Models.Tokenizers;

namespace SaeAudit.Evaluation.Sampling;

/// <summary>Turns a dataset into the evaluated rows, exactly as SPEC §2 and §12 fix it:
/// <list type="bullet">
/// <item>Text (.jsonl, .txt): each document is tokenized without special tokens; documents are joined with ONE EOS
/// between consecutive documents (none after the last) into one stream; the stream is cut into rows of
/// context − 1 tokens, each prefixed with BOS (with prepend_bos false: rows of context tokens, no BOS); the trailing
/// partial row is dropped.</item>
/// <item>Pre-tokenized (.npy, .safetensors [rows, context]): rows are used as they are; their width must equal
/// context_size.</item>
/// <item>Row indices are shuffled with SplitMix64(seed) (unless shuffle is off) and the first
/// ceil(n_tokens / (context_size − 1)) are taken; fewer available rows is an input error.</item>
/// </list>
/// Only the token stream (4 bytes per token) is held, never text or activations.</summary>
public static class RowSampler
{
    /// <summary>Documents tokenized together (in parallel) before their ids join the stream in file order.</summary>
    private const int DocumentsPerChunk = 512;

    /// <summary>Samples with <paramref name="tokenizer"/> (no special tokens added to documents).</summary>
    /// <param name="threads">Threads tokenizing documents; the result does not depend on it.</param>
    public static SampledRows Sample(SamplingOptions options, Tokenizer tokenizer, SpecialTokens special, int threads = 1) =>
        Sample(options, text => tokenizer.Encode(text, addSpecialTokens: false), special, threads);

    /// <summary>Samples with <paramref name="encode"/> (text → ids without special tokens; must be thread-safe when
    /// <paramref name="threads"/> &gt; 1). Pre-tokenized datasets never call it.</summary>
    public static SampledRows Sample(SamplingOptions options, Func<string, int[]> encode, SpecialTokens special, int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ContextSize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.NTokens, 1L);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var path = Path.GetFullPath(options.DatasetPath);
        var format = DatasetFormats.Of(path);

        RowSource source;
        if (format.IsText())
        {
            source = PackText(path, format, options, encode, special, threads);
        }
        else
        {
            var dataset = PreTokenizedDataset.Read(path);
            if (dataset.Width != options.ContextSize)
                throw InvalidInputException.For(path, "shape",
                    $"rows are {dataset.Width} tokens wide but context_size is {options.ContextSize} (pre-tokenized rows are used as they are)");
            source = new RowSource(dataset.Row,
                new DatasetStats { Format = format, RowsAvailable = dataset.Rows, RowWidth = dataset.Width });
        }

        var selected = SelectRows(path, options, source.Stats);
        var tokens = new int[selected.Length * options.ContextSize];
        for (var i = 0; i < selected.Length; i++)
            source.Row(selected[i]).CopyTo(tokens.AsSpan(i * options.ContextSize, options.ContextSize));
        if (options.VocabSize is { } vocabSize) CheckVocabulary(path, tokens, selected, options.ContextSize, vocabSize);
        return new SampledRows(path, options.ContextSize, tokens, selected, source.Stats);
    }

    /// <summary>The dataset's rows before selection, and how many there are (in <see cref="DatasetStats"/>).</summary>
    private sealed record RowSource(RowAccessor Row, DatasetStats Stats);

    /// <summary>Row i of the dataset as context ids; the span may be reused by the next call.</summary>
    private delegate ReadOnlySpan<int> RowAccessor(int row);

    private static RowSource PackText(string path, DatasetFormat format, SamplingOptions options,
        Func<string, int[]> encode, SpecialTokens special, int threads)
    {
        var stream = new List<int>();
        var documents = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        foreach (var chunk in TextDocuments.Read(path, options.Field).Chunk(DocumentsPerChunk))
        {
            var encoded = new int[chunk.Length][];
            Parallel.For(0, chunk.Length, parallel, i => encoded[i] = encode(chunk[i]));
            foreach (var ids in encoded)
            {
                if (documents++ > 0) stream.Add(special.Eos);
                stream.AddRange(ids);
            }
        }

        var context = options.ContextSize;
        var payload = options.PrependBos ? context - 1 : context;
        var rows = stream.Count / payload;
        var stats = new DatasetStats
        {
            Format = format,
            RowsAvailable = rows,
            RowWidth = context,
            Documents = documents,
            StreamTokens = stream.Count,
            DroppedTailTokens = stream.Count % payload,
        };
        var row = new int[context];
        return new RowSource(i =>
        {
            var body = CollectionsMarshal.AsSpan(stream).Slice(i * payload, payload);
            if (options.PrependBos)
            {
                row[0] = special.Bos;
                body.CopyTo(row.AsSpan(1));
            }
            else
            {
                body.CopyTo(row);
            }
            return row;
        }, stats);
    }

    /// <summary>Row indices in evaluation order: the SPEC shuffle of 0..rows−1 (or file order), first RowsNeeded.</summary>
    private static int[] SelectRows(string path, SamplingOptions options, DatasetStats stats)
    {
        var needed = options.RowsNeeded;
        if (needed > stats.RowsAvailable)
        {
            var origin = stats.Format.IsText()
                ? $"the {stats.StreamTokens}-token stream of its {stats.Documents} documents packs into {stats.RowsAvailable} rows of {stats.RowWidth} tokens"
                : $"it has {stats.RowsAvailable} rows of {stats.RowWidth} tokens";
            throw InvalidInputException.For(path, null,
                $"too few rows: {origin}, but n_tokens = {options.NTokens} needs {needed} rows " +
                $"(ceil(n_tokens / (context_size - 1))); lower n_tokens or use a larger dataset");
        }
        var order = Enumerable.Range(0, stats.RowsAvailable).ToArray();
        if (options.Shuffle) SplitMix64.Shuffle(order, options.Seed);
        return order[..(int)needed];
    }

    private static void CheckVocabulary(string path, int[] tokens, int[] selected, int context, int vocabSize)
    {
        var bad = Array.FindIndex(tokens, id => id >= vocabSize);
        if (bad < 0) return;
        throw InvalidInputException.For(path, $"row {selected[bad / context]}",
            $"token id {tokens[bad]} at position {bad % context} is outside the model's vocabulary (size {vocabSize})");
    }
}
