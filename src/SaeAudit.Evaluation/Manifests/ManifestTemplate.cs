using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SaeAudit.Models;

namespace SaeAudit.Evaluation.Manifests;

/// <summary>The commented starter manifest that <c>saeaudit init</c> writes.</summary>
public static class ManifestTemplate
{
    /// <summary>Where the bundled demo models live, relative to the repository root.</summary>
    public const string DefaultSamplesDirectory = "samples/gpt2-tiny";

    /// <summary>The starter text. It audits the bundled demo SAE on both demo finetunes, so it runs as written;
    /// its comments explain every field.</summary>
    /// <param name="samplesDirectory">The demo folder as seen from where the manifest will live (forward slashes
    /// are fine on every OS); the default suits a manifest at the repository root.</param>
    public static string Starter(string samplesDirectory = DefaultSamplesDirectory)
    {
        // Escape for a JSON string; forward slashes keep Windows paths free of backslash escapes.
        var samples = JsonEncodedText.Encode(samplesDirectory.Replace('\\', '/').TrimEnd('/'), JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        return $$"""
            // saeaudit manifest: does an SAE trained on a base model still work on its finetunes?
            // Check it with `saeaudit validate <this file>`, run it with `saeaudit run <this file>`.
            // Every field is described in schemas/manifest.schema.json. Comments like these are allowed;
            // unknown fields are errors, so a typo cannot pass silently.
            // Paths are relative to this file's folder (absolute paths work too).
            {
              "schema_version": 1,

              // Settings every pair inherits. A pair may set any of them itself: its value replaces the default,
              // and dataset, outliers and transfer are replaced as whole objects. Gates add up: these apply to every
              // pair, in addition to the pair's own.
              "defaults": {
                // The base model the SAE was trained on: a Hugging Face-format folder (config.json,
                // model.safetensors, tokenizer files).
                "base": "{{samples}}/base",

                // A SAELens-format SAE folder (cfg.json, sae_weights.safetensors) trained on the base model.
                "sae": "{{samples}}/saes/sae-relu",

                // Where the SAE reads and splices, e.g. "blocks.2.hook_resid_pre". Left out: the SAE cfg.json's
                // hook_name.
                // "hook": "blocks.2.hook_resid_pre",

                // The evaluation data. "path" ends in .jsonl (one JSON object per line; "field" names the text
                // key, default "text"), .txt (documents separated by blank lines), or .npy / .safetensors
                // (pre-tokenized int arrays [rows, context]). "shuffle": shuffle the rows with "seed" (default
                // true); false keeps file order.
                "dataset": { "path": "{{samples}}/data/eval_prose.jsonl", "field": "text", "shuffle": true },

                // Tokens per row, BOS included (at least 2; default 128).
                "context_size": 128,

                // How many tokens to evaluate: the first ceil(n_tokens / (context_size - 1)) rows.
                "n_tokens": 16384,

                // Rows per forward pass (default 16): trades memory for speed; results don't depend on it
                // (except explained_variance_legacy, which is defined per batch).
                "batch_size": 16,

                // Seed of the row shuffle and of the feature sampling (default 0).
                "seed": 0,

                // Put BOS at position 0 of every row. Left out: the SAE cfg.json's prepend_bos, else true.
                // "prepend_bos": true,

                // Leave out tokens with huge activation norms, which wreck reconstruction metrics. "mode": "none"
                // (default); "absolute" with "value" (the norm threshold); "mean_multiple" or "median_multiple"
                // with "k" (threshold = k x the mean / median norm over the first "calibration_rows" rows,
                // default 32).
                "outliers": { "mode": "none", "calibration_rows": 32 },

                // The feature transfer test: sample "features" regular features (density within
                // "density_range" in both models) and up to "dead_cap" features dead in only one model.
                "transfer": { "features": 1000, "dead_cap": 1000, "density_range": [1e-5, 1e-1] },

                // Pass/fail checks on result values (result names joined by dots), each with "min", "max" or
                // both. `saeaudit run` exits 1 when one fails.
                "gates": [
                  // Share of the zero-ablation loss increase the SAE's reconstruction recovers on the finetune.
                  { "metric": "finetune.ce.score", "min": 0.9 },
                  // How alike the sampled features fire on the two models (Pearson correlation).
                  { "metric": "transfer.activation_similarity.mean", "min": 0.8 }
                ]
              },

              // The audit units. Each needs a unique "name" (letters, digits, '.', '_', '-') and whatever the
              // defaults don't give.
              "pairs": [
                // A light finetune on more prose: the SAE should still work.
                { "name": "light", "finetune": "{{samples}}/ft-light" },

                // A heavy finetune on Python code: the SAE should not transfer, so this pair fails the
                // activation-similarity gate on purpose.
                { "name": "heavy", "finetune": "{{samples}}/ft-heavy" }
              ]
            }

            """;
    }

    /// <summary>Writes <see cref="Starter"/> to a new file at <paramref name="path"/>, with the demo paths made
    /// relative to that file's folder. Never overwrites: an existing file is an <see cref="InvalidInputException"/>.</summary>
    /// <param name="samplesDirectory">The demo folder, absolute or relative to the current directory.</param>
    public static void WriteNew(string path, string samplesDirectory = DefaultSamplesDirectory)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var samples = Path.GetRelativePath(folder, Path.GetFullPath(samplesDirectory));
        var text = Encoding.UTF8.GetBytes(Starter(samples));
        try
        {
            Directory.CreateDirectory(folder);
            // CreateNew fails if the file appeared meanwhile, so nothing is ever overwritten.
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            stream.Write(text);
        }
        catch (IOException) when (File.Exists(path) || Directory.Exists(path))
        {
            throw InvalidInputException.For(path, null, "already exists; saeaudit init does not overwrite (pick another path or delete it)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InvalidInputException.For(path, null, $"cannot write the starter manifest: {e.Message}");
        }
    }
}
