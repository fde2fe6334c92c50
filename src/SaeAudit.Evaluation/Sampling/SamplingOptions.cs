namespace SaeAudit.Evaluation.Sampling;

/// <summary>What <see cref="RowSampler"/> reads and how many rows it takes (the manifest's dataset fields, SPEC §2).
/// The manifest reader validates the ranges; the sampler rejects out-of-range values as programming errors.</summary>
public sealed record SamplingOptions
{
    /// <summary>A .jsonl, .txt, .npy or .safetensors file.</summary>
    public required string DatasetPath { get; init; }

    /// <summary>The JSON field holding each document's text, for .jsonl datasets.</summary>
    public string Field { get; init; } = "text";

    /// <summary>Tokens per row (≥ 2), BOS included. Pre-tokenized rows must be exactly this wide.</summary>
    public required int ContextSize { get; init; }

    /// <summary>Tokens to evaluate (≥ 1): the sample has ceil(n_tokens / (context_size − 1)) rows.</summary>
    public required long NTokens { get; init; }

    /// <summary>Shuffle the rows with <see cref="Seed"/> before taking the first ones; false keeps file order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The manifest seed; rows are shuffled with SplitMix64(seed).</summary>
    public ulong Seed { get; init; }

    /// <summary>Text datasets only: rows are BOS + (context − 1) stream tokens when true, context stream tokens when
    /// false. Pre-tokenized rows are used as they are either way.</summary>
    public bool PrependBos { get; init; } = true;

    /// <summary>When set, a sampled token id ≥ this (the model's vocabulary size) is an input error.</summary>
    public int? VocabSize { get; init; }

    /// <summary>Rows the sample needs: ceil(n_tokens / (context_size − 1)) (SPEC §2), whatever <see cref="PrependBos"/>.</summary>
    public long RowsNeeded => (NTokens + ContextSize - 2) / (ContextSize - 1);
}
