using Detector.Streams.Thresholds;
using Xunit;

namespace Detector.Tests.Thresholds;

/// <summary>The time window: eviction by explicit timestamps, the count bound, and the reference.</summary>
public sealed class TimeWindowPercentileTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Add_ScoreExactlyOneWindowOld_IsEvicted()
    {
        var window = new TimeWindowPercentile(100, TimeSpan.FromSeconds(10), 1000);
        window.Add(100, T0);
        window.Add(1, T0.AddSeconds(5));
        Assert.Equal(100f, window.Threshold);

        window.Add(2, T0.AddSeconds(10));

        Assert.Equal(2, window.Count);
        Assert.Equal(2f, window.Threshold);
    }

    [Fact]
    public void AdvanceTo_AfterAQuietPeriod_EmptiesTheWindow()
    {
        var window = new TimeWindowPercentile(90, TimeSpan.FromMinutes(1), 1000);
        for (var i = 0; i < 50; i++)
        {
            window.Add(i, T0.AddSeconds(i));
        }

        window.AdvanceTo(T0.AddMinutes(10));

        Assert.Equal(0, window.Count);
        Assert.Equal(float.PositiveInfinity, window.Threshold);
    }

    [Fact]
    public void Add_BurstBeyondMaxCount_KeepsOnlyTheNewest()
    {
        var window = new TimeWindowPercentile(100, TimeSpan.FromHours(1), 10);
        for (var i = 0; i < 1000; i++)
        {
            window.Add(1000 - i, T0);
            Assert.True(window.Count <= 10);
        }

        Assert.Equal(10, window.Count);
        Assert.Equal(10f, window.Threshold);
        Assert.True(window.AllocatedCapacity <= 10);
    }

    [Fact]
    public void Threshold_SeededRandomTimedStreams_MatchesReference()
    {
        for (var seed = 0; seed < 100; seed++)
        {
            var random = new Random(1000 + seed);
            var span = TimeSpan.FromSeconds(random.Next(1, 60));
            var maxCount = random.Next(1, 80);
            var percentile = 100 * (1 - random.NextDouble());
            var window = new TimeWindowPercentile(percentile, span, maxCount);
            var kept = new List<(DateTimeOffset At, float Score)>();
            var now = T0;
            for (var i = 0; i < 400; i++)
            {
                now = now.AddMilliseconds(random.Next(0, 3000));
                var score = random.Next(0, 20);
                window.Add(score, now);
                kept.Add((now, score));
                kept.RemoveAll(e => e.At <= now - span);
                if (kept.Count > maxCount)
                {
                    kept.RemoveRange(0, kept.Count - maxCount);
                }
                var expected = PercentileReference.Of(kept.Select(e => e.Score), percentile);
                Assert.True(expected == window.Threshold, $"seed {seed}, step {i}: expected {expected}, got {window.Threshold}");
                Assert.Equal(kept.Count, window.Count);
            }
        }
    }

    [Fact]
    public void Add_OutOfOrderTimestamp_DoesNotMoveNowBackwards()
    {
        var window = new TimeWindowPercentile(100, TimeSpan.FromSeconds(10), 100);
        window.Add(1, T0.AddSeconds(20));
        window.Add(5, T0);

        Assert.Equal(T0.AddSeconds(20), window.Newest);
        Assert.Equal(2, window.Count);
    }
}
