using System.Runtime.InteropServices;
using System.Security.Cryptography;
using SaeAudit.Models;

namespace SaeAudit.Evaluation.Sampling;

/// <summary>How the dataset looked before sampling, for the results' provenance (the reference records the same
/// numbers under <c>reference.extras.dataset</c>).</summary>
public sealed record DatasetStats
{
    public required DatasetFormat Format { get; init; }

    /// <summary>Rows the dataset yields before shuffling and selection.</summary>
    public required int RowsAvailable { get; init; }

    /// <summary>Tokens per row (the context).</summary>
    public required int RowWidth { get; init; }

    /// <summary>Text datasets: documents read.</summary>
    public int? Documents { get; init; }

    /// <summary>Text datasets: tokens in the joined stream (documents plus one EOS between consecutive ones).</summary>
    public long? StreamTokens { get; init; }

    /// <summary>Text datasets: stream tokens after the last whole row, which are not used.</summary>
    public int? DroppedTailTokens { get; init; }

    /// <summary>"text" or "pretokenized", as the reference names the kinds.</summary>
    public string Kind => Format.IsText() ? "text" : "pretokenized";
}

/// <summary>The rows an audit evaluates (SPEC §2): <see cref="RowCount"/> rows of <see cref="Context"/> token ids,
/// in evaluation order. Base and finetune models both see exactly these rows.</summary>
public sealed class SampledRows
{
    private readonly int[] _tokens;
    private readonly int[] _sourceRows;

    internal SampledRows(string datasetPath, int context, int[] tokens, int[] sourceRows, DatasetStats dataset)
    {
        DatasetPath = datasetPath;
        Context = context;
        _tokens = tokens;
        _sourceRows = sourceRows;
        Dataset = dataset;
    }

    public string DatasetPath { get; }

    /// <summary>Tokens per row.</summary>
    public int Context { get; }

    public int RowCount => _sourceRows.Length;

    /// <summary>RowCount × Context ids, row-major.</summary>
    public ReadOnlySpan<int> Tokens => _tokens;

    /// <summary>For each sampled row, its index among the dataset's rows before shuffling (the reference's
    /// <c>selected_rows</c>; it records the first 32 as <c>selected_rows_first</c>).</summary>
    public IReadOnlyList<int> SourceRows => _sourceRows;

    public DatasetStats Dataset { get; }

    /// <summary>Rows the dataset offered before selection.</summary>
    public int RowsAvailable => Dataset.RowsAvailable;

    public ReadOnlySpan<int> Row(int row) => _tokens.AsSpan(row * Context, Context);

    /// <summary>Lower-case hex SHA-256 of the sampled ids as little-endian int32, row-major (the reference's
    /// <c>selected_rows_sha256</c>).</summary>
    public string Sha256()
    {
        // The host is little-endian (as every supported platform), so the in-memory bytes are the int32 LE bytes.
        return Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(_tokens.AsSpan())));
    }

    /// <summary>The rows in order, <paramref name="batchSize"/> at a time; the last batch may be smaller.</summary>
    public IEnumerable<TokenBatch> Batches(int batchSize)
    {
        // Validated here, not inside the iterator, so a bad size fails at the call rather than at the first MoveNext.
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return Iterate();

        IEnumerable<TokenBatch> Iterate()
        {
            for (var first = 0; first < RowCount; first += batchSize)
            {
                var rows = Math.Min(batchSize, RowCount - first);
                yield return new TokenBatch(_tokens.AsSpan(first * Context, rows * Context).ToArray(), rows, Context);
            }
        }
    }
}
