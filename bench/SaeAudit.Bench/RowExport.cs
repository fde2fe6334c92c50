using System.Text.Json;
using SaeAudit.Evaluation.Manifests;
using SaeAudit.Evaluation.Sampling;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Models.Tokenizers;
using SaeAudit.Saes;

namespace SaeAudit.Bench;

/// <summary>Writes the token rows the audit of a manifest's first pair evaluates — sampled by the engine's own
/// <see cref="RowSampler"/>, so text datasets are tokenized exactly as in the audit — as an int32 .npy [rows, context],
/// plus a JSON sidecar with the special token ids, so torch_audit.py runs the same tokens.</summary>
internal static class RowExport
{
    public static void Write(string manifestPath, string npyPath)
    {
        var pair = ManifestLoader.Load(manifestPath).Pairs[0];
        var config = ModelConfig.Load(Path.Combine(pair.Base, "config.json"));
        var sae = SaeConfig.Load(Path.Combine(pair.Sae, SaeConfig.FileName));
        // As AuditRunner: BOS falls back to EOS, EOS to BOS.
        var bos = config.BosTokenId ?? config.EosTokenId ?? throw new InvalidOperationException("config has no bos/eos id");
        var special = new SpecialTokens(bos, config.EosTokenId ?? bos, config.PadTokenId);
        var prependBos = pair.PrependBos ?? sae.PrependBos;
        var tokenizerPath = Path.Combine(pair.Base, "tokenizer.json");
        var tokenizer = new Lazy<Tokenizer>(() => Tokenizer.Load(tokenizerPath));

        var rows = RowSampler.Sample(new SamplingOptions
        {
            DatasetPath = pair.Dataset.Path,
            Field = pair.Dataset.Field ?? DatasetSpec.DefaultField,
            ContextSize = pair.ContextSize,
            NTokens = pair.NTokens,
            Shuffle = pair.Dataset.Shuffle,
            Seed = pair.Seed,
            PrependBos = prependBos,
            VocabSize = config.VocabSize,
        }, text => tokenizer.Value.Encode(text, addSpecialTokens: false), special, Environment.ProcessorCount);

        NpyFile.WriteInt32(npyPath, rows.Tokens, [rows.RowCount, rows.Context]);
        var sidecar = new
        {
            rows = rows.RowCount,
            context = rows.Context,
            batch_size = pair.BatchSize,
            hook = (pair.Hook ?? sae.Hook).ToString(),
            special_ids = special.Ids,
            seed = pair.Seed,
            selected_rows_sha256 = rows.Sha256(),
        };
        File.WriteAllText(Path.ChangeExtension(npyPath, ".json"), JsonSerializer.Serialize(sidecar));
    }
}
