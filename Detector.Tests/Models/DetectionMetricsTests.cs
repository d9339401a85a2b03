using Detector.Models.Evaluation;
using Xunit;

namespace Detector.Tests.Models;

/// <summary>AUC-ROC and average precision on cases with known answers.</summary>
public sealed class DetectionMetricsTests
{
    [Fact]
    public void AucRoc_KnownCases()
    {
        bool[] labels = [false, false, true, true];
        Assert.Equal(1.0, DetectionMetrics.AucRoc([0.1f, 0.2f, 0.8f, 0.9f], labels));
        Assert.Equal(0.0, DetectionMetrics.AucRoc([0.9f, 0.8f, 0.2f, 0.1f], labels));
        Assert.Equal(0.75, DetectionMetrics.AucRoc([0.1f, 0.8f, 0.3f, 0.9f], labels));
        Assert.Equal(0.5, DetectionMetrics.AucRoc([1f, 1f, 1f, 1f], labels));
    }

    [Fact]
    public void AveragePrecision_KnownCase()
    {
        // Ranked: 0.9 (pos), 0.8 (neg), 0.3 (pos), 0.1 (neg): AP = ½·1 + ½·⅔.
        Assert.Equal(0.5 + 1.0 / 3, DetectionMetrics.AveragePrecision([0.1f, 0.8f, 0.3f, 0.9f], [false, false, true, true]), 12);
    }

    [Fact]
    public void AtThreshold_CountsStrictlyAbove()
    {
        var (p, r, f1) = DetectionMetrics.AtThreshold([0.1f, 0.8f, 0.3f, 0.9f], [false, false, true, true], 0.3f);
        Assert.Equal(0.5, p);
        Assert.Equal(0.5, r);
        Assert.Equal(0.5, f1);
    }
}
