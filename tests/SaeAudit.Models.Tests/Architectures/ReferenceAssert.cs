namespace SaeAudit.Models.Tests.Architectures;

/// <summary>The SPEC §10 comparison with a PyTorch reference: max-abs error / max-abs reference below 1e-4.</summary>
internal static class ReferenceAssert
{
    public const double Tolerance = 1e-4;

    /// <summary>Asserts the bound and returns the relative error, so tests can report it.</summary>
    public static double Close(float[] actual, float[] expected, string what)
    {
        actual.Length.Should().Be(expected.Length, what);
        double maxError = 0, maxReference = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            maxError = Math.Max(maxError, Math.Abs(actual[i] - (double)expected[i]));
            maxReference = Math.Max(maxReference, Math.Abs((double)expected[i]));
        }
        var relative = maxError / maxReference;
        relative.Should().BeLessThan(Tolerance, $"{what}: max-abs error {maxError:g3} vs max-abs {maxReference:g3}");
        return relative;
    }
}
