using System.Globalization;
using System.Text;
using System.Xml;
using SaeAudit.Evaluation.Results;
using SaeAudit.Reporting.Model;

namespace SaeAudit.Reporting.JUnit;

/// <summary>The gates as JUnit XML, for CI test views: one <c>testsuite</c> per pair, one <c>testcase</c> per gate
/// (<c>classname="saeaudit.&lt;pair&gt;"</c>, <c>name="&lt;metric&gt; &lt;bound&gt;"</c>), a <c>failure</c> with the
/// value and the bound for a failed gate. Deterministic: the only time facts are the run's own
/// (<c>started_utc</c>, <c>wall_seconds</c>), so the same results file gives the same bytes.
/// <para>A pair without gates gets one <em>skipped</em> testcase "no gates": CI views hide or reject empty suites
/// (several fail a report with zero tests), while a skipped case stays visible and says honestly that nothing was
/// checked, without failing the build.</para></summary>
public static class JUnitReport
{
    private const string FailureType = "GateFailed";

    public static string Render(AuditResults results)
    {
        var model = ReportModel.From(results);
        var run = results.Provenance.Run;
        var total = model.Pairs.Sum(TestCount);
        var skipped = model.Pairs.Count(p => p.Gates.Count == 0);

        using var stream = new MemoryStream();
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(false),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
            NewLineHandling = NewLineHandling.Replace,
        };
        using (var xml = XmlWriter.Create(stream, settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("testsuites");
            xml.WriteAttributeString("name", results.Tool.Name);
            WriteCounts(xml, total, model.Verdict.GatesFailed, skipped);
            xml.WriteAttributeString("time", Seconds(run.WallSeconds));
            xml.WriteAttributeString("timestamp", run.StartedUtc);
            foreach (var pair in model.Pairs) WriteSuite(xml, pair, run.StartedUtc);
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Writes the XML to a temporary file beside <paramref name="path"/>, then moves it into place, so a CI
    /// step never reads half a file.</summary>
    public static void Write(AuditResults results, string path)
    {
        var xml = Render(results);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temporary, xml, new UTF8Encoding(false));
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    private static int TestCount(PairReport pair) => Math.Max(1, pair.Gates.Count);

    private static void WriteSuite(XmlWriter xml, PairReport pair, string startedUtc)
    {
        var className = $"saeaudit.{pair.Name}";
        xml.WriteStartElement("testsuite");
        xml.WriteAttributeString("name", pair.Name);
        WriteCounts(xml, TestCount(pair), pair.Gates.Count(g => !g.Passed), pair.Gates.Count == 0 ? 1 : 0);
        xml.WriteAttributeString("timestamp", startedUtc);

        xml.WriteStartElement("properties");
        WriteProperty(xml, "base", pair.BaseLabel);
        WriteProperty(xml, "finetune", pair.FinetuneLabel);
        WriteProperty(xml, "hook", pair.Hook);
        WriteProperty(xml, "verdict", pair.Verdict);
        xml.WriteEndElement();

        if (pair.Gates.Count == 0)
        {
            xml.WriteStartElement("testcase");
            xml.WriteAttributeString("classname", className);
            xml.WriteAttributeString("name", "no gates");
            xml.WriteStartElement("skipped");
            xml.WriteAttributeString("message", "no gates are configured for this pair, so nothing was checked");
            xml.WriteEndElement();
            xml.WriteEndElement();
        }
        foreach (var gate in pair.Gates)
        {
            xml.WriteStartElement("testcase");
            xml.WriteAttributeString("classname", className);
            xml.WriteAttributeString("name", $"{gate.Metric} {gate.Bound}");
            if (!gate.Passed)
            {
                xml.WriteStartElement("failure");
                xml.WriteAttributeString("message", gate.Detail);
                xml.WriteAttributeString("type", FailureType);
                xml.WriteString(FailureBody(gate, pair));
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
    }

    /// <summary>The failure's text: the exact value (unrounded, as the gate compared it) and the pair's verdict, so
    /// the CI view explains the failure without opening the report.</summary>
    private static string FailureBody(GateRow gate, PairReport pair)
    {
        var value = gate.RawValue is { } v && !double.IsNaN(v) ? NumberFormat.Exact(v) : "NaN (undefined)";
        return $"metric: {gate.Metric} ({gate.Label})\nvalue: {value}\nexpected: {gate.Bound}\n\n{pair.Verdict}";
    }

    private static void WriteCounts(XmlWriter xml, int tests, int failures, int skipped)
    {
        xml.WriteAttributeString("tests", Count(tests));
        xml.WriteAttributeString("failures", Count(failures));
        xml.WriteAttributeString("errors", "0");
        xml.WriteAttributeString("skipped", Count(skipped));
    }

    private static void WriteProperty(XmlWriter xml, string name, string value)
    {
        xml.WriteStartElement("property");
        xml.WriteAttributeString("name", name);
        xml.WriteAttributeString("value", value);
        xml.WriteEndElement();
    }

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Seconds(double seconds) => seconds.ToString("0.###", CultureInfo.InvariantCulture);
}
