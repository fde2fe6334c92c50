using SaeAudit.Evaluation.Results;
using static SaeAudit.Reporting.NumberFormat;

namespace SaeAudit.Cli.Reporting;

/// <summary>Lines in MSBuild's canonical diagnostic format, <c>&lt;file&gt; : error &lt;CODE&gt;: &lt;text&gt;</c>,
/// which MSBuild's Exec task logs as build errors (or warnings) with that file and code, so IDEs and CI list them like
/// compiler errors. <c>--error-format msbuild</c> prints them.</summary>
internal static class MsBuildDiagnostics
{
    /// <summary>A gate failed (one line per failed gate).</summary>
    public const string GateFailedCode = "SAEAUDIT001";

    /// <summary>Invalid input (exit code 2).</summary>
    public const string InvalidInputCode = "SAEAUDIT002";

    /// <summary>Any other failure (exit code 3) or cancellation.</summary>
    public const string FailureCode = "SAEAUDIT003";

    public static string Error(string file, string code, string message) => Line(file, "error", code, message);

    public static string Warning(string file, string code, string message) => Line(file, "warning", code, message);

    /// <summary>One line per failed gate: <c>pair '&lt;pair&gt;': &lt;metric&gt; = &lt;value&gt;, expected
    /// &lt;bound&gt;</c>, attributed to the manifest that configured the gate. Errors when the failed gates fail the
    /// run, warnings when they do not (<c>--fail-on-gates false</c>).</summary>
    public static IEnumerable<string> GateFailures(AuditResults results, string manifestPath, bool asErrors) =>
        from pair in results.Pairs
        from gate in pair.Gates
        where !gate.Passed
        let message = $"pair '{pair.Name}': {gate.Metric} = {Value(gate.Value)}, expected {Bound(gate.Min, gate.Max)}"
        select asErrors ? Error(manifestPath, GateFailedCode, message) : Warning(manifestPath, GateFailedCode, message);

    /// <summary>The value as the reports show it; a NaN (stored as null) fails its gate whatever the bounds.</summary>
    private static string Value(double? value) =>
        value is { } v && !double.IsNaN(v) ? Format(v) : $"{NotAvailable} (NaN)";

    private static string Line(string file, string severity, string code, string message) =>
        $"{file} : {severity} {code}: {message}";
}
