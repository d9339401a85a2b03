using Detector.Streams.Thresholds;
using Xunit;

namespace Detector.Tests.Thresholds;

/// <summary>The per-record path allocates nothing once the windows and the entity map are warm.</summary>
public sealed class ThresholdTrackerAllocationTests
{
    private const int Measured = 100_000;

    /// <summary>
    /// Slack for a spare block: a block count reaching a new high allocates one 2 KiB block, a handful of times at most.
    /// An allocation per evaluation, however small (24 bytes), would come to 2.4 MB over the measured run.
    /// </summary>
    private const long Slack = 16 * 1024;

    [Theory]
    [InlineData(false, 10_000)]
    [InlineData(true, 10_000)]
    [InlineData(false, 100_000)]
    public void Evaluate_SteadyStateWithAFixedSetOfEntities_DoesNotAllocate(bool perEntity, int windowSize)
    {
        var tracker = new ThresholdTracker(new ThresholdOptions
        {
            Percentile = 99, WindowSize = windowSize, WarmUp = 1000, PerEntity = perEntity, EntityWindowSize = 500,
            SuppressionGap = TimeSpan.FromSeconds(1),
        });
        var random = new Random(17);
        var keys = Enumerable.Range(0, 200).Select(i => $"entity-{i}").ToArray();
        var warmUp = Math.Max(2 * windowSize, 200 * 500 * 2);
        var total = warmUp + Measured;
        var who = new string[total];
        var scores = new float[total];
        var times = new DateTimeOffset[total];
        var t0 = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < total; i++)
        {
            who[i] = keys[random.Next(keys.Length)];
            scores[i] = (float)random.NextDouble();
            times[i] = t0.AddMilliseconds(i);
        }
        for (var i = 0; i < warmUp; i++)
        {
            tracker.Evaluate(who[i], scores[i], times[i]);
        }

        // Measured in two halves: a one-off growth (a spare block at a new high, a runtime tier-up under a loaded
        // test run) can land in one of them, but an allocation per evaluation shows in both.
        var anomalies = 0;
        var allocated = new long[2];
        var half = Measured / 2;
        for (var h = 0; h < 2; h++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = warmUp + h * half; i < warmUp + (h + 1) * half; i++)
            {
                anomalies += tracker.Evaluate(who[i], scores[i], times[i]).IsAnomaly ? 1 : 0;
            }
            allocated[h] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.True(anomalies > 0, "the stream should produce anomalies, so the alert path is measured too");
        Assert.True(Math.Min(allocated[0], allocated[1]) <= Slack,
            $"{allocated[0]} and {allocated[1]} bytes allocated over two halves of {Measured} evaluations");
    }

    [Fact]
    public void Evaluate_SteadyStateWithEntityPots_DoesNotAllocate()
    {
        // Method Pot per entity: 20 entities, each with its own POT fitted on its 600-score window, all updating online.
        var tracker = new ThresholdTracker(new ThresholdOptions
        {
            Method = ThresholdMethod.Pot, RiskLevel = 1e-3, PerEntity = true, EntityWindowSize = 600, EntityPotMinScores = 600,
            SuppressionGap = TimeSpan.FromSeconds(1),
        });
        var random = new Random(19);
        var keys = Enumerable.Range(0, 20).Select(i => $"entity-{i}").ToArray();
        var t0 = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var warmUp = 20 * 600 * 3;
        var total = warmUp + Measured;
        var scores = new float[total];
        for (var i = 0; i < total; i++)
        {
            scores[i] = (float)(-Math.Log(1 - random.NextDouble()) * (1 + i % 20));
        }
        for (var i = 0; i < warmUp; i++)
        {
            tracker.Evaluate(keys[i % 20], scores[i], t0.AddMilliseconds(i));
        }
        Assert.All(keys, key => Assert.NotNull(tracker.EntityPot(key)));

        var allocated = new long[2];
        var half = Measured / 2;
        for (var h = 0; h < 2; h++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = warmUp + h * half; i < warmUp + (h + 1) * half; i++)
            {
                tracker.Evaluate(keys[i % 20], scores[i], t0.AddMilliseconds(i));
            }
            allocated[h] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.True(Math.Min(allocated[0], allocated[1]) <= Slack,
            $"{allocated[0]} and {allocated[1]} bytes allocated over two halves of {Measured} evaluations");
    }

    [Fact]
    public void Evaluate_EntityChurnBeyondMaxEntities_ReusesForgottenState()
    {
        var tracker = new ThresholdTracker(new ThresholdOptions
        {
            Percentile = 90, WindowSize = 1000, WarmUp = 10, PerEntity = true, EntityWindowSize = 32, EntityMinHistory = 4,
            MaxEntities = 50,
        });
        var keys = Enumerable.Range(0, 500).Select(i => $"k{i}").ToArray();
        var t0 = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var random = new Random(23);
        for (var i = 0; i < 20_000; i++)
        {
            tracker.Evaluate(keys[random.Next(keys.Length)], (float)random.NextDouble(), t0.AddSeconds(i));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20_000; i++)
        {
            tracker.Evaluate(keys[random.Next(keys.Length)], (float)random.NextDouble(), t0.AddSeconds(20_000 + i));
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(50, tracker.EntityCount);
        Assert.True(allocated <= Slack, $"{allocated} bytes allocated over 20000 evaluations with entity churn");
    }
}
