using SaeAudit.Evaluation.Results;
using SaeAudit.Reporting.Charts;

namespace SaeAudit.Reporting.Model;

/// <summary>The whole report as format-neutral, already formatted content: Markdown and PDF both render this, so
/// they show the same numbers, tables, sentences and charts in the same order. Built from the results file alone.
/// <para>Order: <see cref="Verdict"/> and the gate table first, then one <see cref="PairReport"/> per pair (manifest
/// order), then <see cref="Provenance"/>.</para></summary>
public sealed record ReportModel(
    string Title,
    string Subtitle,
    ReportVerdict Verdict,
    IReadOnlyList<GateRow> Gates,
    ReportTable GateTable,
    IReadOnlyList<PairReport> Pairs,
    ProvenanceReport Provenance,
    AuditResults Results)
{
    public static ReportModel From(AuditResults results) => ReportModelBuilder.Build(results);
}

/// <summary>The run's overall outcome. <see cref="Status"/> is "PASS" or "FAIL"; <see cref="Summary"/> says it in
/// one sentence ("1 of 2 pairs fails its gates: code (2 of 3 gates fail).").</summary>
public sealed record ReportVerdict(
    bool Passed,
    string Status,
    int PairCount,
    int PairsPassed,
    int PairsFailed,
    int GateCount,
    int GatesPassed,
    int GatesFailed,
    string Summary);

/// <summary>One evaluated gate. <see cref="Bound"/> is "≥ 0.8", "≤ 2" or "in [a, b]"; <see cref="Value"/> is
/// formatted ("n/a" for a NaN, which fails) and <see cref="RawValue"/> is the unrounded number the gate compared
/// (null for NaN); <see cref="Detail"/> is the one-line explanation a failure message shows
/// ("transfer.activation_similarity.mean = 0.4752, expected ≥ 0.8").</summary>
public sealed record GateRow(
    string Pair,
    string Metric,
    string Label,
    string Bound,
    string Value,
    double? RawValue,
    bool Passed,
    string Status,
    string Detail);

/// <summary>One pair's part of the report. <see cref="Verdict"/> is a plain-English paragraph generated from the
/// numbers; <see cref="Sections"/> lists the sections in the order every renderer shows them.</summary>
public sealed record PairReport(
    string Name,
    string BaseLabel,
    string FinetuneLabel,
    string Hook,
    bool Passed,
    string Status,
    string Verdict,
    IReadOnlyList<GateRow> Gates,
    ReportSection Headline,
    ReportSection Activations,
    ReportSection Features,
    ReportSection Transfer,
    ReportSection Weights)
{
    public IReadOnlyList<ReportSection> Sections => [Headline, Activations, Features, Transfer, Weights];
}

/// <summary>A titled part of a pair: a sentence saying what it measures, its tables, its charts (from
/// <see cref="ReportCharts"/>, in their order; each has an <see cref="Chart.Id"/> unique within the report, a title
/// and caption lines), and notes (caveats the numbers need). <see cref="Id"/> is stable ("headline", "activations",
/// "features", "transfer", "weights").</summary>
public sealed record ReportSection(
    string Id,
    string Title,
    string Intro,
    IReadOnlyList<ReportTable> Tables,
    IReadOnlyList<Chart> Charts,
    IReadOnlyList<string> Notes);

/// <summary>Where the numbers came from: the run (tool, machine, timing, manifest) and, per pair, the resolved
/// parameters and the SHA-256 of every input file.</summary>
public sealed record ProvenanceReport(ReportTable Run, IReadOnlyList<PairProvenanceReport> Pairs);

public sealed record PairProvenanceReport(string Name, ReportTable Parameters, ReportTable Inputs);
