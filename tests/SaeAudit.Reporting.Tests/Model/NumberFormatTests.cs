namespace SaeAudit.Reporting.Tests.Model;

public class NumberFormatTests
{
    [Theory]
    [InlineData(0.9889470750003054, "0.9889")]
    [InlineData(-9.309495205093267, "-9.309")]
    [InlineData(523.6736056171397, "523.7")]
    [InlineData(16440.0, "16440")]
    [InlineData(16440.4, "16440")]
    [InlineData(24.625182481751825, "24.63")]
    [InlineData(0.954, "0.9540")]
    [InlineData(1.0, "1.000")]
    [InlineData(0.001, "0.001000")]
    [InlineData(0.0004307808575418318, "4.308e-04")]
    [InlineData(1.2e-05, "1.2e-05")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(-3.14159e-07, "-3.142e-07")]
    [InlineData(1234567.0, "1.235e+06")]
    [InlineData(9.99996, "10.00")]
    [InlineData(0.99996, "1.000")]
    [InlineData(0.0, "0")]
    [InlineData(double.NaN, "n/a")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    public void Measured_values_have_four_significant_digits(double value, string expected) =>
        NumberFormat.Format(value).Should().Be(expected);

    [Fact]
    public void Null_and_counts()
    {
        NumberFormat.Format(-0.0).Should().Be("0");
        NumberFormat.Format((double?)null).Should().Be("n/a");
        NumberFormat.Format((double?)0.5).Should().Be("0.5000");
        NumberFormat.Format(16440L).Should().Be("16440");
        NumberFormat.Format(1035157504L).Should().Be("1035157504", "counts are shown in full");
    }

    [Theory]
    [InlineData(0.03173828125, "3.174%")]
    [InlineData(0.0078125, "0.7812%")] // an exact binary tie rounds to even, as Python and numpy print it
    [InlineData(0.30029296875, "30.03%")]
    [InlineData(0.957, "95.7%")]
    [InlineData(0.15, "15%")]
    [InlineData(1.0, "100%")]
    [InlineData(0.0, "0%")]
    [InlineData(1.2e-9, "1.2e-07%")]
    [InlineData(double.NaN, "n/a")]
    public void Percentages_trim_trailing_zeros(double fraction, string expected) =>
        NumberFormat.Percent(fraction).Should().Be(expected);

    [Theory]
    [InlineData(0.8, null, "≥ 0.8")]
    [InlineData(null, 2.0, "≤ 2")]
    [InlineData(0.9, 2.0, "in [0.9, 2]")]
    [InlineData(1e-05, null, "≥ 1e-05")]
    [InlineData(0.123456789, null, "≥ 0.123456789")]
    public void Bounds_show_the_configured_value_exactly(double? min, double? max, string expected) =>
        NumberFormat.Bound(min, max).Should().Be(expected);

    [Fact]
    public void Composite_formats()
    {
        NumberFormat.MeanStd(0.9947155810497266, 0.002723532200443665).Should().Be("0.9947 ± 0.002724");
        NumberFormat.MeanStd(double.NaN, double.NaN).Should().Be("n/a");
        NumberFormat.Bytes(1035157504).Should().Be("987.2 MiB");
        NumberFormat.Bytes(512).Should().Be("512 B");
        NumberFormat.Seconds(10.408).Should().Be("10.41 s");
        NumberFormat.Exact(0.475247649467622).Should().Be("0.475247649467622");
    }
}
