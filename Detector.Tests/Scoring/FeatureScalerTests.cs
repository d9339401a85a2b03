using Detector.Models.Kernels;
using Detector.Models.Scaling;
using Xunit;

namespace Detector.Tests.Scoring;

/// <summary>Scaler statistics and the transform.</summary>
public sealed class FeatureScalerTests
{
    // Column 0: 1..5 with an outlier; column 1: constant.
    private static readonly float[] Data = [1, 7, 2, 7, 3, 7, 4, 7, 5, 7, 1000, 7];

    [Fact]
    public void Fit_Standard_MeanAndPopulationStd()
    {
        var s = FeatureScaler.Fit(ScalerKind.Standard, Data, 6, 2);
        var col = new double[] { 1, 2, 3, 4, 5, 1000 };
        var mean = col.Average();
        Assert.Equal(mean, s.Center[0], 3);
        Assert.Equal(Math.Sqrt(col.Sum(v => (v - mean) * (v - mean)) / 6), s.Scale[0], 2);
        Assert.Equal(7f, s.Center[1]);
        Assert.Equal(1f, s.Scale[1]); // constant feature: centred, not blown up
    }

    [Fact]
    public void Fit_Robust_MedianAndIqrIgnoreTheOutlier()
    {
        var s = FeatureScaler.Fit(ScalerKind.Robust, Data, 6, 2);
        Assert.Equal(3.5f, s.Center[0]);
        Assert.Equal(4.75f - 2.25f, s.Scale[0]);
    }

    [Fact]
    public void Transform_MinMax_MapsTrainingRangeToUnitInterval()
    {
        var s = FeatureScaler.Fit(ScalerKind.MinMax, Data, 6, 2);
        var y = new float[Data.Length];
        s.Transform(CpuKernels.Instance, Data, 6, y);
        Assert.Equal(0f, y[0]);
        Assert.Equal(1f, y[10]);
        Assert.All(y, v => Assert.InRange(v, 0f, 1f));
    }
}
