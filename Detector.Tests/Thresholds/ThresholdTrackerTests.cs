using Detector.Streams.Thresholds;
using Xunit;

namespace Detector.Tests.Thresholds;

/// <summary>Warm-up, per-entity fallback, suppression, the entity bound and recalibration.</summary>
public sealed class ThresholdTrackerTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Evaluate_DuringWarmUp_FlagsNothing()
    {
        var tracker = new ThresholdTracker(new ThresholdOptions { Percentile = 50, WindowSize = 100, WarmUp = 100 });

        for (var i = 0; i < 100; i++)
        {
            var decision = tracker.Evaluate("card-1", i % 2 == 0 ? 0 : 1e9f, T0.AddSeconds(i));
            Assert.False(decision.IsAnomaly);
            Assert.False(decision.RaiseAlert);
            Assert.Equal(ThresholdSource.WarmingUp, decision.Source);
            Assert.Equal(float.PositiveInfinity, decision.Threshold);
        }

        var after = tracker.Evaluate("card-1", 1e10f, T0.AddSeconds(100));
        Assert.True(after.IsAnomaly);
        Assert.Equal(ThresholdSource.Global, after.Source);
    }

    [Fact]
    public void Evaluate_AfterWarmUp_UsesTheGlobalPercentileOfEarlierScores()
    {
        var tracker = new ThresholdTracker(new ThresholdOptions { Percentile = 90, WindowSize = 10, WarmUp = 10, SuppressionGap = TimeSpan.Zero });
        for (var i = 1; i <= 10; i++)
        {
            tracker.Evaluate("host", i, T0);
        }

        var atThreshold = tracker.Evaluate("host", 9, T0);
        var above = tracker.Evaluate("host", 9.5f, T0);

        Assert.Equal(9f, atThreshold.Threshold);
        Assert.False(atThreshold.IsAnomaly);
        Assert.True(above.IsAnomaly);
        Assert.True(above.RaiseAlert);
    }

    [Fact]
    public void Evaluate_EntityWithoutEnoughHistory_FallsBackToGlobalThenUsesItsOwn()
    {
        var options = new ThresholdOptions
        {
            Percentile = 99, WindowSize = 1000, WarmUp = 200, PerEntity = true, EntityMinHistory = 20, EntityWindowSize = 50,
        };
        var tracker = new ThresholdTracker(options);
        var random = new Random(3);
        for (var i = 0; i < 500; i++)
        {
            tracker.Evaluate($"busy-{i % 7}", 50 + (float)(random.NextDouble() * 50), T0.AddSeconds(i));
        }
        var quietScores = new List<float>();

        for (var i = 0; i < 20; i++)
        {
            var score = (float)random.NextDouble();
            var global = tracker.GlobalThreshold;
            var decision = tracker.Evaluate("quiet", score, T0.AddSeconds(600 + i));
            Assert.Equal(ThresholdSource.Global, decision.Source);
            Assert.Equal(global, decision.Threshold);
            quietScores.Add(score);
        }
        var own = tracker.Evaluate("quiet", 5f, T0.AddSeconds(700));

        Assert.Equal(ThresholdSource.Entity, own.Source);
        Assert.Equal(PercentileReference.Of(quietScores, 99), own.Threshold);
        Assert.True(own.IsAnomaly);
    }

    [Fact]
    public void Evaluate_AnomaliesCloserThanTheGap_RaiseOneAlertPerIncident()
    {
        var tracker = WarmTracker(TimeSpan.FromMinutes(1));
        var times = new[] { 0, 10, 50, 100, 150 };

        var alerts = times.Select(s => tracker.Evaluate("card-9", 1e6f, T0.AddSeconds(2000 + s))).ToArray();

        Assert.All(alerts, d => Assert.True(d.IsAnomaly));
        Assert.Equal([true, false, false, false, false], alerts.Select(d => d.RaiseAlert));
        Assert.Equal(4, alerts.Count(d => d.Suppressed));
    }

    [Fact]
    public void Evaluate_AnomalyAfterAQuietGap_OpensANewIncident()
    {
        var tracker = WarmTracker(TimeSpan.FromMinutes(1));
        var first = tracker.Evaluate("card-9", 1e6f, T0.AddSeconds(2000));
        var same = tracker.Evaluate("card-9", 1e6f, T0.AddSeconds(2059));
        var normal = tracker.Evaluate("card-9", 0f, T0.AddSeconds(2100));
        var exactlyGap = tracker.Evaluate("card-9", 1e6f, T0.AddSeconds(2119));
        var next = tracker.Evaluate("card-9", 1e6f, T0.AddSeconds(2200));

        Assert.True(first.RaiseAlert);
        Assert.True(same.Suppressed);
        Assert.False(normal.IsAnomaly);
        Assert.True(exactlyGap.RaiseAlert);
        Assert.True(next.RaiseAlert);
    }

    [Fact]
    public void Evaluate_DifferentEntitiesInTheSameBurst_EachGetOneAlert()
    {
        var tracker = WarmTracker(TimeSpan.FromMinutes(5));

        var decisions = Enumerable.Range(0, 12)
            .Select(i => tracker.Evaluate($"vehicle-{i % 3}", 1e6f, T0.AddSeconds(2000 + i)))
            .ToArray();

        Assert.Equal(3, decisions.Count(d => d.RaiseAlert));
        Assert.Equal(9, decisions.Count(d => d.Suppressed));
        Assert.Equal(3, tracker.Snapshot.Alerts);
        Assert.Equal(12, tracker.Snapshot.Anomalies);
    }

    [Fact]
    public void Evaluate_MoreEntitiesThanMax_ForgetsTheLeastRecentlySeen()
    {
        var tracker = new ThresholdTracker(new ThresholdOptions
        {
            WindowSize = 10, WarmUp = 0, PerEntity = true, EntityMinHistory = 1, EntityWindowSize = 10, MaxEntities = 3,
        });
        foreach (var key in new[] { "a", "b", "c", "a", "d" })
        {
            tracker.Evaluate(key, 1, T0);
        }

        Assert.Equal(3, tracker.EntityCount);
        Assert.Equal(0, tracker.EntityWindowCount("b"));
        Assert.Equal(2, tracker.EntityWindowCount("a"));
        Assert.Equal(1, tracker.EntityWindowCount("c"));
        Assert.Equal(1, tracker.EntityWindowCount("d"));
    }

    [Fact]
    public void Evaluate_LongRandomStream_EveryWindowAndTheEntityMapStayBounded()
    {
        var options = new ThresholdOptions
        {
            Percentile = 95, WindowSize = 64, WarmUp = 10, PerEntity = true, EntityMinHistory = 5, EntityWindowSize = 16, MaxEntities = 20,
        };
        var tracker = new ThresholdTracker(options);
        var random = new Random(11);
        for (var i = 0; i < 20_000; i++)
        {
            var key = $"e{random.Next(100)}";
            tracker.Evaluate(key, (float)random.NextDouble(), T0.AddMilliseconds(i));
            var snapshot = tracker.Snapshot;
            Assert.True(snapshot.WindowCount <= options.WindowSize);
            Assert.True(snapshot.EntityCount <= options.MaxEntities);
            Assert.True(tracker.EntityWindowCount(key) <= options.EntityWindowSize);
        }
        Assert.Equal(20_000, tracker.Snapshot.Evaluated);
    }

    [Fact]
    public void Evaluate_ForgottenEntityReturns_StartsOverWithHistoryAndIncident()
    {
        var tracker = new ThresholdTracker(new ThresholdOptions
        {
            Percentile = 50, WindowSize = 100, WarmUp = 0, PerEntity = true, EntityMinHistory = 1, EntityWindowSize = 10,
            MaxEntities = 2, SuppressionGap = TimeSpan.FromHours(1),
        });
        tracker.Evaluate("a", 1, T0);
        var first = tracker.Evaluate("a", 100, T0.AddSeconds(1));
        tracker.Evaluate("b", 1, T0.AddSeconds(2));
        tracker.Evaluate("c", 1, T0.AddSeconds(3));

        var back = tracker.Evaluate("a", 100, T0.AddSeconds(4));

        Assert.True(first.RaiseAlert);
        Assert.Equal(ThresholdSource.Global, back.Source);
        Assert.True(back.RaiseAlert);
        Assert.Equal(1, tracker.EntityWindowCount("a"));
        Assert.Equal(0, tracker.EntityWindowCount("b"));
        Assert.Equal(2, tracker.EntityCount);
    }

    [Fact]
    public void Evaluate_TimeWindow_ForgetsScoresOlderThanTheWindow()
    {
        var tracker = new ThresholdTracker(new ThresholdOptions
        {
            Percentile = 100, WindowSize = 1000, Window = TimeSpan.FromMinutes(1), WarmUp = 1, SuppressionGap = TimeSpan.Zero,
        });
        tracker.Evaluate("x", 100, T0);
        tracker.Evaluate("x", 10, T0.AddSeconds(30));

        var withinWindow = tracker.Evaluate("x", 50, T0.AddSeconds(59));
        var afterOldLeft = tracker.Evaluate("x", 60, T0.AddSeconds(61));

        Assert.Equal(100f, withinWindow.Threshold);
        Assert.False(withinWindow.IsAnomaly);
        Assert.Equal(50f, afterOldLeft.Threshold);
        Assert.True(afterOldLeft.IsAnomaly);
    }

    [Fact]
    public void Recalibrate_NewModelScores_ReplaceTheGlobalWindowAndClearEntityWindows()
    {
        var tracker = new ThresholdTracker(new ThresholdOptions
        {
            Percentile = 50, WindowSize = 100, WarmUp = 10, PerEntity = true, EntityMinHistory = 5, EntityWindowSize = 10,
        });
        for (var i = 0; i < 50; i++)
        {
            tracker.Evaluate("e", 1000 + i, T0.AddSeconds(i));
        }

        float[] fresh = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        tracker.Recalibrate(fresh);
        var decision = tracker.Evaluate("e", 7, T0.AddSeconds(100));

        Assert.Equal(PercentileReference.Of(fresh, 50), decision.Threshold);
        Assert.Equal(ThresholdSource.Global, decision.Source);
        Assert.True(decision.IsAnomaly);
        Assert.Equal(1, tracker.EntityWindowCount("e"));
    }

    [Fact]
    public void Recalibrate_FewerScoresThanWarmUp_LeavesTheTrackerWarmingUp()
    {
        var tracker = WarmTracker(TimeSpan.Zero);

        tracker.Recalibrate([1, 2, 3]);

        Assert.False(tracker.Snapshot.IsWarm);
        Assert.Equal(ThresholdSource.WarmingUp, tracker.Evaluate("e", 1e9f, T0.AddDays(1)).Source);
    }

    [Fact]
    public void Recalibrate_TimeWindowBeforeAnyScore_TakesTheFirstTimestamp()
    {
        var tracker = new ThresholdTracker(new ThresholdOptions
        {
            Percentile = 100, WindowSize = 100, Window = TimeSpan.FromMinutes(1), WarmUp = 3,
        });

        tracker.Recalibrate([1, 2, 3]);
        var first = tracker.Evaluate("e", 2.5f, T0);

        Assert.Equal(3f, first.Threshold);
        Assert.False(first.IsAnomaly);
    }

    [Fact]
    public void Evaluate_NaNScore_Throws()
    {
        var tracker = WarmTracker(TimeSpan.Zero);

        Assert.Throws<ArgumentOutOfRangeException>(() => tracker.Evaluate("e", float.NaN, T0));
    }

    [Fact]
    public async Task Snapshot_ReadFromAnotherThread_ReportsTheGlobalThresholdAndEntities()
    {
        var tracker = WarmTracker(TimeSpan.Zero);

        var snapshot = await Task.Run(() => tracker.Snapshot);

        Assert.True(snapshot.IsWarm);
        Assert.Equal(tracker.GlobalThreshold, snapshot.GlobalThreshold);
        Assert.Equal(1, snapshot.EntityCount);
        Assert.Equal(1000, snapshot.WindowCount);
    }

    /// <summary>
    /// A tracker past its warm-up on 1000 scores in [0, 1) from one background entity. The 95th percentile of a
    /// 1000-score window stays below 1 until more than 50 anomalies have entered it, so the tests' anomalies (1e6)
    /// stay anomalous.
    /// </summary>
    private static ThresholdTracker WarmTracker(TimeSpan gap)
    {
        var tracker = new ThresholdTracker(new ThresholdOptions { Percentile = 95, WindowSize = 1000, WarmUp = 1000, SuppressionGap = gap });
        var random = new Random(5);
        for (var i = 0; i < 1000; i++)
        {
            tracker.Evaluate("background", (float)random.NextDouble(), T0.AddSeconds(i));
        }
        return tracker;
    }
}
