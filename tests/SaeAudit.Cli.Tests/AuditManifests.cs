using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Testing;

namespace SaeAudit.Cli.Tests;

/// <summary>Small audit manifests on the gpt2-tiny fixtures (absolute paths, so they work from any folder), and the
/// broken inputs the bad-input tests feed them.</summary>
internal static class AuditManifests
{
    public static readonly string Sae = Fixtures.Path("gpt2-tiny", "saes", "sae-relu");
    public static readonly string Prose = Fixtures.Path("gpt2-tiny", "data", "eval_prose.jsonl");

    /// <summary>The gate the code pair fails and the light pair passes (reference: 0.4752 vs 0.9889).</summary>
    public const string SimilarityGate = "transfer.activation_similarity.mean";

    /// <summary>Two pairs, light (transfers) and code (does not), 2048 tokens each (~1-2 s a pair), one gate.</summary>
    public static JsonObject TwoPairs() => new()
    {
        ["schema_version"] = 1,
        ["defaults"] = new JsonObject
        {
            ["base"] = Model("base"),
            ["sae"] = Sae,
            ["dataset"] = new JsonObject { ["path"] = Prose, ["field"] = "text" },
            ["context_size"] = 128,
            ["n_tokens"] = 2048,
            ["outliers"] = new JsonObject { ["mode"] = "median_multiple", ["k"] = 3 },
            ["gates"] = new JsonArray(new JsonObject { ["metric"] = SimilarityGate, ["min"] = 0.8 }),
        },
        ["pairs"] = new JsonArray(
            new JsonObject { ["name"] = "light", ["finetune"] = Model("ft-light") },
            new JsonObject { ["name"] = "code", ["finetune"] = Model("ft-heavy") }),
    };

    public static string Model(string name) => Fixtures.Path("gpt2-tiny", "models", name);

    public static JsonObject Defaults(this JsonObject manifest) => manifest["defaults"]!.AsObject();

    public static string Write(this JsonObject manifest, TempFolder temp, string fileName = "audit.json")
    {
        var path = temp[fileName];
        File.WriteAllText(path, manifest.ToJsonString());
        return path;
    }

    /// <summary>A copy of the fixture SAE cut down to its first <paramref name="dIn"/> input dimensions, weights and
    /// cfg.json alike: a well-formed SAE that does not fit the 128-wide models.</summary>
    public static string NarrowSae(TempFolder temp, int dIn)
    {
        var folder = temp["narrow-sae"];
        Directory.CreateDirectory(folder);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Sae, "cfg.json")))!.AsObject();
        config["d_in"] = dIn;
        File.WriteAllText(Path.Combine(folder, "cfg.json"), config.ToJsonString());

        using var weights = SafetensorsFile.Open(Path.Combine(Sae, "sae_weights.safetensors"));
        var header = new JsonObject();
        var data = new MemoryStream();
        void Add(string name, float[] values, params int[] shape)
        {
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(data.Length, data.Length + values.Length * sizeof(float)),
            };
            data.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        var wEnc = weights.LoadFloat32("W_enc"); // [d_in, d_sae], row-major: the first rows are the first inputs
        var wDec = weights.LoadFloat32("W_dec"); // [d_sae, d_in]: keep the first dIn columns of every row
        int dSae = wDec.Shape[0], width = wDec.Shape[1];
        Add("W_enc", wEnc.Data[..(dIn * dSae)], dIn, dSae);
        Add("W_dec", Enumerable.Range(0, dSae).SelectMany(row => wDec.Data.Skip(row * width).Take(dIn)).ToArray(), dSae, dIn);
        Add("b_dec", weights.LoadFloat32("b_dec").Data[..dIn], dIn);
        Add("b_enc", weights.LoadFloat32("b_enc").Data, dSae);
        BrokenModels.WriteSafetensors(Path.Combine(folder, "sae_weights.safetensors"), header, data.ToArray());
        return folder;
    }
}
