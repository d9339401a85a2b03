using Detector.Streams.Thresholds;
using Xunit;

namespace Detector.Tests.Thresholds;

/// <summary>The generalized Pareto fit against samples drawn from known distributions.</summary>
public sealed class GpdFitTests
{
    /// <summary>n excesses from GPD(γ, σ) by inversion: y = σ/γ (U^(−γ) − 1), or −σ log U for γ = 0.</summary>
    internal static double[] Sample(double shape, double scale, int n, int seed)
    {
        var random = new Random(seed);
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            var u = 1 - random.NextDouble(); // (0, 1]
            y[i] = Math.Abs(shape) < 1e-12 ? -scale * Math.Log(u) : scale / shape * (Math.Pow(u, -shape) - 1);
        }
        return y;
    }

    [Theory]
    [InlineData(0.3, 1.0)]
    [InlineData(0.1, 2.5)]
    [InlineData(0.0, 0.5)]
    [InlineData(-0.2, 1.0)]
    [InlineData(0.8, 0.01)]
    public void Fit_KnownGpdSamples_RecoversShapeAndScale(double shape, double scale)
    {
        var y = Sample(shape, scale, 20_000, seed: 7);

        var fit = GpdFit.Fit(y);

        // The MLE's standard errors at n = 20,000 are about (1 + γ)/√n ≈ 0.01 for γ and σ(1 + γ)·√2/√n for σ.
        Assert.InRange(fit.Shape, shape - 0.05, shape + 0.05);
        Assert.InRange(fit.Scale, scale * 0.95, scale * 1.05);
    }

    [Theory]
    [InlineData(0.3, 1.0, 200)]
    [InlineData(-0.1, 3.0, 50)]
    [InlineData(0.0, 1.0, 30)]
    public void Fit_SmallSamples_IsTheMaximumOfTheLikelihood(double shape, double scale, int n)
    {
        var y = Sample(shape, scale, n, seed: 11);

        var fit = GpdFit.Fit(y);

        // The reference: no point of a fine grid around the fit (nor the true parameters) is more likely.
        var best = fit.LogLikelihood(y);
        Assert.True(best >= GpdFit.LogLikelihood(y, shape, scale) - 1e-9, $"the true parameters are more likely than the fit {fit}");
        for (var dg = -0.2; dg <= 0.2; dg += 0.01)
        {
            for (var ds = 0.8; ds <= 1.2; ds += 0.01)
            {
                Assert.True(best >= GpdFit.LogLikelihood(y, fit.Shape + dg, fit.Scale * ds) - 1e-6,
                    $"({fit.Shape + dg}, {fit.Scale * ds}) is more likely than the fit {fit}");
            }
        }
    }

    [Fact]
    public void Quantile_OfTheTrueDistribution_IsExceededAtTheRiskLevel()
    {
        // Scores: 0 below t = 1 with probability 0.98; above it, 1 + GPD(0.2, 0.5). P(score > z) = 0.02 · P(Y > z − 1).
        var fit = new GpdFit(0.2, 0.5);

        var z = fit.Quantile(initial: 1, risk: 1e-4, peakRate: 0.02);

        var tail = Math.Pow(1 + 0.2 * (z - 1) / 0.5, -1 / 0.2);
        Assert.Equal(1e-4, 0.02 * tail, 10);
    }

    [Fact]
    public void Fit_TooFewOrNoSpread_ThrowsNamingTheProblem()
    {
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => GpdFit.Fit([1.0])).Message, StringComparison.Ordinal);
        Assert.Contains("no spread", Assert.Throws<ArgumentException>(() => GpdFit.Fit([0.0, 0.0, 0.0])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => GpdFit.Fit([1.0, -1.0]));
    }

    [Theory]
    [InlineData(0.0, 1.0, 3.0)]
    [InlineData(0.3, 1.0, 5.0)]
    public void FitTruncated_SampleSeenOnlyBelowItsCut_RecoversTheUntruncatedDistribution(double shape, double scale, double cut)
    {
        var kept = Sample(shape, scale, 40_000, seed: 13).Where(y => y < cut).ToArray();
        var cuts = Enumerable.Repeat(cut, kept.Length).ToArray();

        var naive = GpdFit.Fit(kept);
        var fit = GpdFit.FitTruncated(kept, cuts);

        Assert.True(naive.Shape < shape - 0.1, $"the naive fit {naive} should look lighter-tailed than γ = {shape}");
        Assert.InRange(fit.Shape, shape - 0.06, shape + 0.06);
        Assert.InRange(fit.Scale, scale * 0.93, scale * 1.07);
    }
}
