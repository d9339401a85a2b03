using Detector.Streams.Thresholds;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Xunit;

namespace Detector.Tests.Thresholds;

/// <summary>SPOT and DSPOT: calibration, the flag rate on normal streams, incidents, drift, bad calibration.</summary>
public sealed class PotThresholdTests
{
    /// <summary>n scores with an exponential tail (rate 1): the GPD of their excesses is exactly γ = 0, σ = 1.</summary>
    private static float[] Exponential(int n, int seed, double level = 0)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(level - Math.Log(1 - random.NextDouble()))).ToArray();
    }

    [Fact]
    public void TryInitialize_ExponentialCalibration_PutsTheThresholdAtTheTrueRiskQuantile()
    {
        var pot = new PotThreshold(riskLevel: 1e-4);

        Assert.True(pot.TryInitialize(Exponential(50_000, seed: 1), 1_000, out _));

        // P(score > z) = e^(−z) = 1e-4 → z = ln 1e4 ≈ 9.21; the fit from 1,000 peaks is within a few tenths.
        Assert.InRange(pot.Threshold, 9.21 - 0.6, 9.21 + 0.6);
        Assert.InRange(pot.Fit.Shape, -0.1, 0.1);
    }

    [Fact]
    public void Evaluate_NormalStreamOfTheCalibratedDistribution_FlagsAboutTheRiskLevel()
    {
        var pot = new PotThreshold(riskLevel: 1e-3);
        Assert.True(pot.TryInitialize(Exponential(5_000, seed: 2), 1_000, out _));

        var flagged = Exponential(200_000, seed: 3).Count(pot.Evaluate);

        // 200 expected; the fit from 100 peaks moves z by about ±0.3, i.e. the rate by a factor of about 1.35.
        Assert.InRange(flagged, 100, 400);
    }

    [Fact]
    public void Evaluate_LongIncident_DoesNotRaiseItsOwnThreshold()
    {
        var pot = new PotThreshold(riskLevel: 1e-3);
        Assert.True(pot.TryInitialize(Exponential(5_000, seed: 4), 1_000, out _));
        var before = pot.Threshold;

        var incident = Enumerable.Range(0, 20_000).Select(i => before * (2 + i % 7)).ToArray();
        var flagged = incident.Count(pot.Evaluate);

        Assert.Equal(incident.Length, flagged);
        Assert.Equal(before, pot.Threshold);
    }

    [Fact]
    public void Evaluate_DriftingLevel_DspotFollowsTheLevelAndKeepsItsRate()
    {
        // The level rises by 20 scale units over the stream; DSPOT judges each score against the mean of the last 50.
        var noise = Exponential(50_000, seed: 6);
        var stream = noise.Select((x, i) => x + 20f * i / noise.Length).ToArray();
        var dspot = new PotThreshold(riskLevel: 1e-3, depth: 50);
        Assert.True(dspot.TryInitialize(Exponential(5_000, seed: 5), 1_000, out _));

        var flagged = stream.Count(dspot.Evaluate);

        Assert.True(flagged < 300, $"DSPOT flagged {flagged}"); // 50 expected at q = 1e-3
        Assert.InRange(dspot.Level, 20 + 1 - 0.5, 20 + 1 + 0.5); // the final level plus the noise's mean
        Assert.InRange(dspot.Threshold, dspot.Level + 3, dspot.Level + 10);
    }

    [Fact]
    public void TryInitialize_TooFewScoresOrPeaks_RefusesNamingTheNumbers()
    {
        var pot = new PotThreshold(riskLevel: 1e-3);

        Assert.False(pot.TryInitialize(Exponential(500, seed: 7), 1_000, out var few));
        Assert.Contains("500 calibration scores", few, StringComparison.Ordinal);
        Assert.Contains("1000", few, StringComparison.Ordinal);

        var ties = Enumerable.Repeat(1f, 2_000).Concat(Exponential(5, seed: 8).Select(x => x + 1)).ToArray();
        Assert.False(pot.TryInitialize(ties, 1_000, out var peaks));
        Assert.Contains("5 peaks", peaks, StringComparison.Ordinal);
        Assert.False(pot.IsInitialized);
        Assert.Equal(float.PositiveInfinity, pot.Threshold);
        Assert.False(pot.Evaluate(1e30f));
    }

    [Fact]
    public void Evaluate_RandomStreams_JudgesByTheThresholdBeforeTheScoreAndNeverLearnsFromAnomalies()
    {
        var magnitudes = Gen.Choose(-2_000, 4_000).Select(e => (float)Math.Exp(e / 1000.0));
        var streams = Gen.OneOf(magnitudes, magnitudes.Select(x => x * 100), Gen.Elements(0f, 1f, 3f)).ArrayOf().ToArbitrary();
        var shapes = Gen.Elements(1e-2, 1e-3, 1e-5).Zip(Gen.Elements(0, 0, 5)).Zip(Gen.Choose(1, 1_000)).ToArbitrary();
        var property = Prop.ForAll(streams, shapes, (stream, shape) =>
        {
            var ((risk, depth), seed) = shape;
            var pot = new PotThreshold(risk, 0.95, depth);
            if (!pot.TryInitialize(Exponential(1_500, seed), 1_000, out _))
            {
                return false;
            }
            foreach (var score in stream)
            {
                var threshold = pot.Threshold;
                var (observed, peaks) = (pot.Observed, pot.PeaksSeen);
                var anomaly = pot.Evaluate(score);
                var ok = anomaly == (score > threshold)
                    && !float.IsNaN(pot.Threshold)
                    && pot.RelativeThreshold >= pot.Initial
                    && (anomaly
                        ? pot.Threshold == threshold && pot.Observed == observed && pot.PeaksSeen == peaks
                        : pot.Observed == observed + 1);
                if (!ok)
                {
                    return false;
                }
            }
            return true;
        });
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(200)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(20170813UL, 7UL), FSharpOption<int>.None)));
        Check.One(config, property);
    }
}
