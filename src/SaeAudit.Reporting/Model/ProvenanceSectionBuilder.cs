using System.Globalization;
using SaeAudit.Evaluation.Results;
using static SaeAudit.Reporting.NumberFormat;

namespace SaeAudit.Reporting.Model;

/// <summary>The provenance tables: verbatim facts (paths, hashes, parameters) in code columns, so they can be
/// copied exactly.</summary>
internal static class ProvenanceSectionBuilder
{
    public static ProvenanceReport Build(Provenance provenance, ToolInfo tool)
    {
        var (env, run, manifest) = (provenance.Environment, provenance.Run, provenance.Manifest);
        var runTable = ReportModelBuilder.KeyValueTable("field", "value",
        [
            ("tool", $"{tool.Name} {tool.Version}"),
            ("runtime", env.Runtime),
            ("OS", env.Os),
            ("CPU", $"{env.Cpu} ({env.Architecture})"),
            ("SIMD", env.Simd),
            ("compute backend", env.ComputeBackend),
            ("threads", Format(run.Threads)),
            ("started (UTC)", run.StartedUtc),
            ("wall time", Seconds(run.WallSeconds)),
            ("throughput", $"{Format(run.TokensPerSecond)} tokens/s"),
            ("peak memory", Bytes(run.PeakMemoryBytes)),
            ("manifest", manifest.Path),
            ("manifest SHA-256", manifest.Sha256),
            ("manifest canonical hash", manifest.CanonicalHash),
        ], ColumnKind.Code);
        return new ProvenanceReport(runTable, provenance.Pairs.Select(BuildPair).ToList());
    }

    private static PairProvenanceReport BuildPair(PairProvenance pair)
    {
        var p = pair.Parameters;
        var parameters = ReportModelBuilder.KeyValueTable("parameter", "value",
        [
            ("base", p.Base),
            ("finetune", p.Finetune),
            ("sae", p.Sae),
            ("sae_architecture", p.SaeArchitecture),
            ("d_sae", Format(p.DSae)),
            ("dataset", p.Dataset),
            ("field", p.Field ?? NotAvailable),
            ("hook", p.Hook),
            ("context", Format(p.Context)),
            ("n_tokens", Format(p.NTokens)),
            ("batch_size", Format(p.BatchSize)),
            ("seed", p.Seed.ToString(CultureInfo.InvariantCulture)),
            ("shuffle", Bool(p.Shuffle)),
            ("prepend_bos", Bool(p.PrependBos)),
            ("special_ids", string.Join(", ", p.SpecialIds)),
            ("outliers", p.Outliers),
            ("calibration_rows", Format(p.CalibrationRows)),
            ("features", Format(p.Features)),
            ("dead_cap", Format(p.DeadCap)),
            ("density_range", $"[{string.Join(", ", p.DensityRange.Select(Exact))}]"),
            ("model_dtypes", string.Join("; ", p.ModelDTypes.Select(kv => $"{kv.Key}: {string.Join(", ", kv.Value)}"))),
        ], ColumnKind.Code);
        var inputs = new ReportTable(
            [ReportColumn.Code("file"), ReportColumn.Code("SHA-256")],
            pair.InputsSha256.Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value]).ToList());
        return new PairProvenanceReport(pair.Name, parameters, inputs);
    }

    private static string Bool(bool value) => value ? "true" : "false";
}
