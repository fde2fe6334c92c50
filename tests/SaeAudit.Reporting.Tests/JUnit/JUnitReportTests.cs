using System.Xml.Linq;
using SaeAudit.Evaluation.Results;
using SaeAudit.Reporting.JUnit;
using SaeAudit.Reporting.Tests.Model;
using SaeAudit.Reporting.Tests.Snapshots;

namespace SaeAudit.Reporting.Tests.JUnit;

public class JUnitReportTests
{
    [Fact]
    public void Demo_junit_matches_its_snapshot() =>
        Snapshot.Match(JUnitReport.Render(DemoResults.Load()), "tests/SaeAudit.Reporting.Tests/JUnit/Verified", "demo-junit", "xml");

    [Fact]
    public void One_suite_per_pair_one_case_per_gate_with_counts()
    {
        var xml = XDocument.Parse(JUnitReport.Render(DemoResults.Load()));
        var root = xml.Root!;
        root.Name.LocalName.Should().Be("testsuites");
        ((int)root.Attribute("tests")!).Should().Be(6);
        ((int)root.Attribute("failures")!).Should().Be(2);
        root.Elements("testsuite").Select(s => (string)s.Attribute("name")!).Should().Equal("light", "code");
        var code = root.Elements("testsuite").Single(s => (string)s.Attribute("name")! == "code");
        ((int)code.Attribute("tests")!).Should().Be(3);
        ((int)code.Attribute("failures")!).Should().Be(2);
        code.Elements("testcase").Select(c => (string)c.Attribute("name")!).Should().Equal(
            "transfer.activation_similarity.mean ≥ 0.8", "finetune.sae.explained_variance ≥ 0.8", "finetune.ce.score ≥ 0.9");
        code.Elements("testcase").Should().OnlyContain(c => (string)c.Attribute("classname")! == "saeaudit.code");
    }

    [Fact]
    public void A_failed_gate_says_its_value_and_bound()
    {
        var failure = Failures(DemoResults.Load()).First();
        ((string)failure.Attribute("message")!).Should().Be("transfer.activation_similarity.mean = 0.4752, expected ≥ 0.8");
        ((string)failure.Attribute("type")!).Should().Be("GateFailed");
        failure.Value.Should().StartWith(
            "metric: transfer.activation_similarity.mean (mean activation similarity)\nvalue: 0.475247649467622\nexpected: ≥ 0.8\n");
    }

    [Fact]
    public void A_nan_value_says_it_is_undefined()
    {
        var results = DemoResults.WithPair("light", p => p with
        {
            Gates = [new GateResult("transfer.logit_similarity.median", 0.5, null, null, false)],
        });
        var failure = Failures(results).First();
        ((string)failure.Attribute("message")!).Should().StartWith("transfer.logit_similarity.median is undefined (NaN), expected ≥ 0.5");
        failure.Value.Should().Contain("value: NaN (undefined)");
    }

    [Fact]
    public void A_pair_without_gates_shows_one_skipped_case()
    {
        var xml = XDocument.Parse(JUnitReport.Render(DemoResults.WithPair("light", p => p with { Gates = [] })));
        var light = xml.Root!.Elements("testsuite").Single(s => (string)s.Attribute("name")! == "light");
        ((int)light.Attribute("tests")!).Should().Be(1);
        ((int)light.Attribute("skipped")!).Should().Be(1);
        var testCase = light.Elements("testcase").Single();
        ((string)testCase.Attribute("name")!).Should().Be("no gates");
        testCase.Element("skipped").Should().NotBeNull();
        ((int)xml.Root.Attribute("skipped")!).Should().Be(1);
    }

    [Fact]
    public void Output_is_deterministic_and_follows_the_numbers()
    {
        var results = DemoResults.Load();
        JUnitReport.Render(results).Should().Be(JUnitReport.Render(DemoResults.Load()));
        JUnitReport.Render(DemoResults.WithLightCeScore(0.5)).Should().NotBe(JUnitReport.Render(results))
            .And.Contain("the SAE's CE loss recovered is 0.5000");
    }

    [Fact]
    public void Write_replaces_the_file_whole()
    {
        var folder = Directory.CreateTempSubdirectory("saeaudit-junit-").FullName;
        try
        {
            var path = Path.Combine(folder, "sub", "junit.xml");
            JUnitReport.Write(DemoResults.Load(), path);
            JUnitReport.Write(DemoResults.WithLightCeScore(0.5), path);
            File.ReadAllText(path).Should().Be(JUnitReport.Render(DemoResults.WithLightCeScore(0.5)));
            Directory.GetFiles(Path.Combine(folder, "sub")).Should().Equal(path);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IEnumerable<XElement> Failures(AuditResults results) =>
        XDocument.Parse(JUnitReport.Render(results)).Descendants("failure");
}
