namespace SaeAudit.Evaluation.Tests.Manifests;

/// <summary>The "Equivalent manifest pair" objects of shared/fixtures/gpt2-tiny/reference/README.md, copied
/// verbatim. Their paths are written as seen from a checkout beside shared/ ("../shared/fixtures/...").</summary>
internal static class ReferencePairs
{
    public const string FixturesPrefix = "../shared/fixtures/";

    public static IReadOnlyDictionary<string, string> ByName { get; } = new Dictionary<string, string>
    {
        ["light-relu-prose"] = """
            {
              "name": "light-relu-prose",
              "base": "../shared/fixtures/gpt2-tiny/models/base",
              "finetune": "../shared/fixtures/gpt2-tiny/models/ft-light",
              "sae": "../shared/fixtures/gpt2-tiny/saes/sae-relu",
              "dataset": {
                "path": "../shared/fixtures/gpt2-tiny/data/eval_prose.jsonl",
                "shuffle": true,
                "field": "text"
              },
              "context_size": 128,
              "n_tokens": 16384,
              "batch_size": 16,
              "seed": 0,
              "outliers": {
                "mode": "none"
              },
              "transfer": {
                "features": 1000,
                "dead_cap": 1000,
                "density_range": [1e-05, 0.1]
              }
            }
            """,
        ["code-relu-prose"] = """
            {
              "name": "code-relu-prose",
              "base": "../shared/fixtures/gpt2-tiny/models/base",
              "finetune": "../shared/fixtures/gpt2-tiny/models/ft-heavy",
              "sae": "../shared/fixtures/gpt2-tiny/saes/sae-relu",
              "dataset": {
                "path": "../shared/fixtures/gpt2-tiny/data/eval_prose.jsonl",
                "shuffle": true,
                "field": "text"
              },
              "context_size": 128,
              "n_tokens": 16384,
              "batch_size": 16,
              "seed": 0,
              "outliers": {
                "mode": "median_multiple",
                "k": 3.0,
                "calibration_rows": 32
              },
              "transfer": {
                "features": 1000,
                "dead_cap": 1000,
                "density_range": [1e-05, 0.1]
              }
            }
            """,
        ["code-topk-codeset"] = """
            {
              "name": "code-topk-codeset",
              "base": "../shared/fixtures/gpt2-tiny/models/base",
              "finetune": "../shared/fixtures/gpt2-tiny/models/ft-heavy",
              "sae": "../shared/fixtures/gpt2-tiny/saes/sae-topk",
              "dataset": {
                "path": "../shared/fixtures/gpt2-tiny/data/eval_code_tokens.npy",
                "shuffle": false
              },
              "context_size": 128,
              "n_tokens": 8192,
              "batch_size": 16,
              "seed": 0,
              "outliers": {
                "mode": "mean_multiple",
                "k": 2.0,
                "calibration_rows": 32
              },
              "transfer": {
                "features": 1000,
                "dead_cap": 1000,
                "density_range": [1e-05, 0.1]
              }
            }
            """,
        ["light-jumprelu-npy"] = """
            {
              "name": "light-jumprelu-npy",
              "base": "../shared/fixtures/gpt2-tiny/models/base",
              "finetune": "../shared/fixtures/gpt2-tiny/models/ft-light",
              "sae": "../shared/fixtures/gpt2-tiny/saes/sae-jumprelu",
              "dataset": {
                "path": "../shared/fixtures/gpt2-tiny/data/eval_prose_tokens.npy",
                "shuffle": true
              },
              "context_size": 128,
              "n_tokens": 8192,
              "batch_size": 16,
              "seed": 7,
              "outliers": {
                "mode": "absolute",
                "value": 8.2,
                "calibration_rows": 32
              },
              "transfer": {
                "features": 1000,
                "dead_cap": 1000,
                "density_range": [1e-05, 0.1]
              }
            }
            """,
        ["code-bf16-relu"] = """
            {
              "name": "code-bf16-relu",
              "base": "../shared/fixtures/gpt2-tiny/models/base-bf16",
              "finetune": "../shared/fixtures/gpt2-tiny/models/ft-heavy-bf16",
              "sae": "../shared/fixtures/gpt2-tiny/saes/sae-relu",
              "dataset": {
                "path": "../shared/fixtures/gpt2-tiny/data/eval_prose.jsonl",
                "shuffle": true,
                "field": "text"
              },
              "context_size": 128,
              "n_tokens": 8192,
              "batch_size": 16,
              "seed": 0,
              "outliers": {
                "mode": "none"
              },
              "transfer": {
                "features": 1000,
                "dead_cap": 1000,
                "density_range": [1e-05, 0.1]
              }
            }
            """,
        ["code-relu-prose-mm"] = """
            {
              "name": "code-relu-prose-mm",
              "base": "../shared/fixtures/gpt2-tiny/models/base",
              "finetune": "../shared/fixtures/gpt2-tiny/models/ft-heavy",
              "sae": "../shared/fixtures/gpt2-tiny/saes/sae-relu",
              "dataset": {
                "path": "../shared/fixtures/gpt2-tiny/data/eval_prose.jsonl",
                "shuffle": true,
                "field": "text"
              },
              "context_size": 128,
              "n_tokens": 8192,
              "batch_size": 16,
              "seed": 0,
              "outliers": {
                "mode": "median_multiple",
                "k": 1.35,
                "calibration_rows": 32
              },
              "transfer": {
                "features": 1000,
                "dead_cap": 1000,
                "density_range": [1e-05, 0.1]
              }
            }
            """,
        ["code-topk-sampled"] = """
            {
              "name": "code-topk-sampled",
              "base": "../shared/fixtures/gpt2-tiny/models/base",
              "finetune": "../shared/fixtures/gpt2-tiny/models/ft-heavy",
              "sae": "../shared/fixtures/gpt2-tiny/saes/sae-topk",
              "dataset": {
                "path": "../shared/fixtures/gpt2-tiny/data/eval_code.jsonl",
                "shuffle": true,
                "field": "text"
              },
              "context_size": 128,
              "n_tokens": 8192,
              "batch_size": 16,
              "seed": 3,
              "outliers": {
                "mode": "none"
              },
              "transfer": {
                "features": 300,
                "dead_cap": 20,
                "density_range": [1e-05, 0.1]
              }
            }
            """,
    };
}
