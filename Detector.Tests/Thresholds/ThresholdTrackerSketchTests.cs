using Detector.Streams.Thresholds;
using Xunit;

namespace Detector.Tests.Thresholds;

/// <summary>The tracker with a sketched global window judges as the exact one does, except for scores within the error band.</summary>
public sealed class ThresholdTrackerSketchTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0.001, false, false)]
    [InlineData(0.01, false, false)]
    [InlineData(0.01, true, false)]
    [InlineData(0.01, false, true)]
    public void Evaluate_SeededStream_SameVerdictsAsExactExceptWithinTheErrorOfTheThreshold(double relativeError, bool perEntity, bool timed)
    {
        var exactOptions = new ThresholdOptions
        {
            Percentile = 99, WindowSize = 2000, WarmUp = 500, PerEntity = perEntity, EntityWindowSize = 100,
            EntityMinHistory = 50, SuppressionGap = TimeSpan.FromSeconds(1), Window = timed ? TimeSpan.FromSeconds(30) : null,
        };
        var exact = new ThresholdTracker(exactOptions);
        var sketched = new ThresholdTracker(exactOptions with { RelativeError = relativeError });
        var random = new Random(31);
        var differing = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var key = $"entity-{random.Next(50)}";
            // Mostly uniform, with a log-normal tail so the threshold sits among sparse scores too.
            var score = random.Next(10) == 0 ? (float)Math.Exp(random.NextDouble() * 3) : (float)random.NextDouble();
            var at = T0.AddMilliseconds(10 * i);
            var want = exact.Evaluate(key, score, at);
            var got = sketched.Evaluate(key, score, at);

            Assert.Equal(want.Source, got.Source);
            if (want.Source == ThresholdSource.Entity)
            {
                Assert.Equal(want.Threshold, got.Threshold);
            }
            Assert.True(SketchBound.Holds(want.Threshold, got.Threshold, relativeError), $"step {i}: {got.Threshold} vs {want.Threshold}");
            if (want.IsAnomaly != got.IsAnomaly)
            {
                differing++;
                Assert.True(Math.Abs(score - (double)want.Threshold) <= relativeError * Math.Abs(want.Threshold),
                    $"step {i}: score {score} judged differently though {want.Threshold} is the exact threshold");
            }
        }

        Assert.Equal(exact.Snapshot.Evaluated, sketched.Snapshot.Evaluated);
        Assert.True(differing <= 20_000 * 3 * relativeError, $"{differing} verdicts differ");
    }

    [Fact]
    public void Recalibrate_WithSketchedGlobalWindow_ReplacesTheWindowAndCountsTheScoresAsSeen()
    {
        var tracker = new ThresholdTracker(new ThresholdOptions { Percentile = 90, WindowSize = 100, WarmUp = 10, RelativeError = 0.01 });
        for (var i = 0; i < 200; i++)
        {
            tracker.Evaluate("host", 1000 + i, T0.AddSeconds(i));
        }

        tracker.Recalibrate(Enumerable.Range(1, 10).Select(i => (float)i));

        Assert.True(SketchBound.Holds(9f, tracker.GlobalThreshold, 0.01));
        Assert.Equal(10, tracker.Snapshot.WindowCount);
        Assert.True(tracker.Snapshot.IsWarm);
    }

    [Fact]
    public void Evaluate_SketchedGlobalWindowDuringWarmUp_FlagsNothing()
    {
        var tracker = new ThresholdTracker(new ThresholdOptions { Percentile = 50, WindowSize = 100, WarmUp = 100, RelativeError = 0.001 });

        for (var i = 0; i < 100; i++)
        {
            var decision = tracker.Evaluate("card-1", i % 2 == 0 ? 0 : 1e9f, T0.AddSeconds(i));
            Assert.False(decision.IsAnomaly);
            Assert.Equal(ThresholdSource.WarmingUp, decision.Source);
        }

        Assert.True(tracker.Evaluate("card-1", 1e10f, T0.AddSeconds(100)).IsAnomaly);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Evaluate_SketchedSteadyState_DoesNotAllocate(bool perEntity)
    {
        var tracker = new ThresholdTracker(new ThresholdOptions
        {
            Percentile = 99, WindowSize = 10_000, WarmUp = 1000, PerEntity = perEntity, EntityWindowSize = 500,
            SuppressionGap = TimeSpan.FromSeconds(1), RelativeError = 0.001,
        });
        var random = new Random(17);
        var keys = Enumerable.Range(0, 200).Select(i => $"entity-{i}").ToArray();
        const int warmUp = 200_000;
        const int measured = 100_000;
        var who = new string[warmUp + measured];
        var scores = new float[who.Length];
        for (var i = 0; i < who.Length; i++)
        {
            who[i] = keys[random.Next(keys.Length)];
            scores[i] = (float)random.NextDouble();
        }
        for (var i = 0; i < warmUp; i++)
        {
            tracker.Evaluate(who[i], scores[i], T0.AddMilliseconds(i));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var anomalies = 0;
        for (var i = warmUp; i < who.Length; i++)
        {
            anomalies += tracker.Evaluate(who[i], scores[i], T0.AddMilliseconds(i)).IsAnomaly ? 1 : 0;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(anomalies > 0);
        // The exact entity windows may allocate a spare block a handful of times (see ThresholdTrackerAllocationTests).
        Assert.True(allocated <= (perEntity ? 16 * 1024 : 0), $"{allocated} bytes allocated over {measured} evaluations");
    }
}
