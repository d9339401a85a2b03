using Detector.Models.Networks;
using Detector.Models.Numerics;
using Detector.Models.Scaling;
using Detector.Models.Scoring;
using Detector.Models.Training;
using Xunit;

namespace Detector.Tests;

/// <summary>Seeded random arrays and tolerance checks shared by the tests.</summary>
internal static class TestData
{
    /// <summary>An untrained model of the given shape (weights from seed 3) with an identity scaler, as a scorer sees one.</summary>
    public static ModelSnapshot Snapshot(ModelOptions options, FeatureSchema schema, string name = "m", long version = 1)
    {
        var rng = new Rng(3);
        var net = ReconstructionNetwork<float>.FromOptions(options, schema.Count, ref rng);
        var meta = new TrainingMetadata(3, 0, 0, 0, 0, DateTimeOffset.UnixEpoch, 0, 1, [], []);
        return new ModelSnapshot(name, version, schema, FeatureScaler.Identity(schema.Count), net, meta);
    }

    public static float[] Floats(ref Rng rng, int n, double scale = 1.0)
    {
        var a = new float[n];
        for (var i = 0; i < n; i++)
        {
            a[i] = (float)(scale * rng.NextGaussian());
        }
        return a;
    }

    public static double[] Doubles(ref Rng rng, int n, double scale = 1.0)
    {
        var a = new double[n];
        for (var i = 0; i < n; i++)
        {
            a[i] = scale * rng.NextGaussian();
        }
        return a;
    }

    public static double[] ToDouble(float[] a) => Array.ConvertAll(a, v => (double)v);

    /// <summary>Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise, naming the first index that fails.</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double rtol, double atol, string what)
    {
        Assert.True(expected.Length <= actual.Length, $"{what}: {actual.Length} values, expected at least {expected.Length}");
        for (var i = 0; i < expected.Length; i++)
        {
            var diff = Math.Abs(actual[i] - expected[i]);
            if (!(diff <= atol + rtol * Math.Abs(expected[i])))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]} (|diff| {diff:g3})");
            }
        }
    }
}
