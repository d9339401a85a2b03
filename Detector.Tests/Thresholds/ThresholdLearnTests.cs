using Detector.Streams.Thresholds;
using Xunit;

namespace Detector.Tests.Thresholds;

/// <summary>
/// <see cref="ThresholdOptions.Learn"/> false: the thresholds are the model's calibration and stay so until the next
/// model, so a verdict depends only on the score, never on the scores judged before it.
/// </summary>
public sealed class ThresholdLearnTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static float[] Uniform(int n, int seed, float scale = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() * scale).ToArray();
    }

    /// <summary>Seeds the tracker; calibration before any timestamp takes effect at the first record, judged here.</summary>
    private static float Calibrated(ThresholdTracker tracker, float[] scores)
    {
        tracker.Calibrate(scores);
        return tracker.Evaluate("first", 0, T0).Threshold;
    }

    [Theory]
    [InlineData(ThresholdMethod.Percentile)]
    [InlineData(ThresholdMethod.Pot)]
    public void LearnFalse_ALongRunOfHighScores_LeavesTheCalibratedThresholdWhereItWas(ThresholdMethod method)
    {
        var options = new ThresholdOptions { Method = method, Percentile = 99, RiskLevel = 1e-3, Learn = false };
        var tracker = new ThresholdTracker(options);
        var calibrated = Calibrated(tracker, Uniform(5_000, seed: 1));

        // Far more than a window of scores, all above the calibrated threshold: a learning tracker would climb.
        var decisions = Uniform(30_000, seed: 2, scale: 10).Select((s, i) => tracker.Evaluate($"e{i % 7}", 1 + s, T0.AddSeconds(i))).ToList();

        Assert.Equal(calibrated, tracker.GlobalThreshold);
        Assert.All(decisions, d => Assert.Equal(calibrated, d.Threshold));
        Assert.All(decisions, d => Assert.True(d.IsAnomaly));
        Assert.All(decisions, d => Assert.Equal(ThresholdSource.Global, d.Source));
    }

    [Fact]
    public void LearnTrue_TheSameRun_RaisesThePercentileThreshold()
    {
        // The control of the test above: with learning on, the same stream does move the threshold. (Without the
        // incident guard: a jump that flags every score is an evident incident, which the guard keeps out.)
        var tracker = new ThresholdTracker(new ThresholdOptions { Percentile = 99, WindowSize = 10_000, GuardIncidents = false });
        var calibrated = Calibrated(tracker, Uniform(5_000, seed: 1));

        foreach (var (s, i) in Uniform(30_000, seed: 2, scale: 10).Select((s, i) => (s, i)))
        {
            tracker.Evaluate("e", 1 + s, T0.AddSeconds(i));
        }

        Assert.True(tracker.GlobalThreshold > 5 * calibrated, $"threshold {tracker.GlobalThreshold} after the run, {calibrated} calibrated");
    }

    [Fact]
    public void LearnFalse_VerdictsDoNotDependOnOrder()
    {
        var scores = Uniform(4_000, seed: 3, scale: 1.05f);
        Dictionary<int, bool> Verdicts(IEnumerable<int> order)
        {
            var tracker = new ThresholdTracker(new ThresholdOptions { Percentile = 99.5, PerEntity = true, EntityMinHistory = 10, Learn = false });
            tracker.Calibrate(Uniform(2_000, seed: 4));
            return order.ToDictionary(i => i, i => tracker.Evaluate($"e{i % 5}", scores[i], T0.AddSeconds(i)).IsAnomaly);
        }

        var forward = Verdicts(Enumerable.Range(0, scores.Length));
        var shuffled = Verdicts(Enumerable.Range(0, scores.Length).OrderBy(i => (i * 7919) % scores.Length));

        Assert.Equal(forward, shuffled);
        Assert.InRange(forward.Values.Count(v => v), 100, 400); // ~5% of scores above the calibration's 1.0 range, plus its top 0.5%
    }

    [Fact]
    public void LearnFalse_WithoutCalibration_StaysWarmingUpRatherThanLearningFromTheStream()
    {
        var tracker = new ThresholdTracker(new ThresholdOptions { WarmUp = 100, Learn = false });

        var decisions = Uniform(1_000, seed: 5).Select((s, i) => tracker.Evaluate("e", s, T0.AddSeconds(i))).ToList();

        Assert.All(decisions, d => Assert.Equal(ThresholdSource.WarmingUp, d.Source));
        Assert.Equal(0, tracker.Snapshot.WindowCount);
    }

    [Fact]
    public void LearnFalse_ANewModelsRecalibration_ReplacesTheThreshold()
    {
        var tracker = new ThresholdTracker(new ThresholdOptions { Percentile = 99, Learn = false, MinCalibrationScores = 100 });
        var first = Calibrated(tracker, Uniform(2_000, seed: 6));

        // A hot-swap recalibrates with the new model's scores of recent rows: on its own scale, and warm at once.
        tracker.Recalibrate(Uniform(2_000, seed: 7, scale: 100));
        var decision = tracker.Evaluate("e", 50, T0.AddSeconds(1));

        Assert.InRange(first, 0.98f, 1f);
        Assert.InRange(tracker.GlobalThreshold, 98f, 100f);
        Assert.Equal(ThresholdSource.Global, decision.Source);
        Assert.False(decision.IsAnomaly);
    }
}
