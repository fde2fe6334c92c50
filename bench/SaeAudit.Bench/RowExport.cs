using System.Text.Json;
using SaeAudit.Evaluation;
using SaeAudit.Evaluation.Manifests;
using SaeAudit.Evaluation.Sampling;
using SaeAudit.Models.Checkpoints;
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
        var finetuneConfig = ModelConfig.Load(Path.Combine(pair.Finetune, "config.json"));
        var sae = SaeConfig.Load(Path.Combine(pair.Sae, SaeConfig.FileName));
        var (rows, special) = AuditRunner.SampleRows(pair, pair.Dataset.Path, config, Path.Combine(pair.Base, "tokenizer.json"),
            pair.PrependBos ?? sae.PrependBos, Math.Min(config.VocabSize, finetuneConfig.VocabSize), Environment.ProcessorCount);

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
