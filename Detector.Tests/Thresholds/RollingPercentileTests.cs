using Detector.Streams.Thresholds;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Xunit;

namespace Detector.Tests.Thresholds;

/// <summary>The count window against the sorted-window reference.</summary>
public sealed class RollingPercentileTests
{
    private static readonly double[] NicePercentiles = [0.1, 1, 5, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100];

    [Fact]
    public void Threshold_ManySeededRandomStreams_MatchesSortedWindowReference()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            var windowSize = random.Next(1, 200);
            var percentile = seed % 3 == 0 ? 100 * (1 - random.NextDouble()) : NicePercentiles[random.Next(NicePercentiles.Length)];
            var length = random.Next(0, 3 * windowSize + 2);
            // Half the streams draw from a handful of values, so ties and duplicates are the norm.
            var distinct = seed % 2 == 0 ? 5 : int.MaxValue;
            var window = new RollingPercentile(percentile, windowSize);
            var all = new List<float>();
            for (var i = 0; i < length; i++)
            {
                var score = distinct == 5 ? random.Next(distinct) : (float)(random.NextDouble() * 10 - 5);
                window.Add(score);
                all.Add(score);
                var expected = PercentileReference.Of(all.Skip(Math.Max(0, all.Count - windowSize)), percentile);
                Assert.True(expected == window.Threshold,
                    $"seed {seed}, W {windowSize}, p {percentile}, after {i + 1}: expected {expected}, got {window.Threshold}");
            }
        }
    }

    [Fact]
    public void Threshold_RandomSmallIntegerStreams_MatchesSortedWindowReference()
    {
        var streams = Gen.Choose(-3, 3).Select(x => (float)x).ArrayOf().ToArbitrary();
        var shapes = Gen.Choose(1, 40).Zip(Gen.Elements(NicePercentiles)).ToArbitrary();
        var property = Prop.ForAll(streams, shapes, (scores, shape) =>
        {
            var (windowSize, percentile) = shape;
            var window = new RollingPercentile(percentile, windowSize);
            for (var i = 0; i < scores.Length; i++)
            {
                window.Add(scores[i]);
                var start = Math.Max(0, i + 1 - windowSize);
                if (window.Threshold != PercentileReference.Of(scores[start..(i + 1)], percentile) || window.Count > windowSize)
                {
                    return false;
                }
            }
            return true;
        });
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(300)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(424242UL, 11UL), FSharpOption<int>.None)));
        Check.One(config, property);
    }

    [Fact]
    public void Threshold_PercentileHundred_IsTheWindowMaximum()
    {
        var window = new RollingPercentile(100, 3);
        foreach (var score in new[] { 5f, 1f, 9f, 2f, 3f })
        {
            window.Add(score);
        }

        Assert.Equal(9f, window.Threshold);
    }

    [Theory]
    [InlineData(99.9, 1000, 999)]
    [InlineData(7, 100, 7)]
    [InlineData(50, 5, 3)]
    [InlineData(0.01, 1, 1)]
    [InlineData(100, 17, 17)]
    [InlineData(99, 10, 10)]
    public void NearestRank_DecimalPercentiles_AreNotPushedUpByBinaryRounding(double percentile, int count, int expected)
    {
        Assert.Equal(expected, PercentileWindow.NearestRank(percentile, count));
    }

    [Fact]
    public void Threshold_BeforeWarmUp_IsInfiniteSoNothingExceedsIt()
    {
        var window = new RollingPercentile(50, 100, warmUp: 10);
        for (var i = 0; i < 9; i++)
        {
            window.Add(i);
            Assert.False(window.IsWarm);
            Assert.Equal(float.PositiveInfinity, window.Threshold);
        }

        window.Add(9);

        Assert.True(window.IsWarm);
        Assert.Equal(4f, window.Threshold);
    }

    [Fact]
    public void Add_FarMoreScoresThanTheWindow_NeverHoldsOrAllocatesMore()
    {
        var random = new Random(7);
        var window = new RollingPercentile(99, 100);
        for (var i = 0; i < 20_000; i++)
        {
            window.Add((float)random.NextDouble());
            Assert.True(window.Count <= 100);
        }

        Assert.Equal(100, window.Count);
        Assert.True(window.AllocatedCapacity <= 100);
        Assert.Equal(20_000, window.Seen);
    }

    [Fact]
    public void Add_NaN_ThrowsNamingTheScore()
    {
        var window = new RollingPercentile(50, 10);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => window.Add(float.NaN));

        Assert.Equal("score", error.ParamName);
    }

    [Fact]
    public void Add_NegativeAndPositiveZero_StayConsistentThroughEviction()
    {
        var window = new RollingPercentile(100, 2);
        foreach (var score in new[] { -0f, 0f, -0f, 1f, -0f, -1f })
        {
            window.Add(score);
        }

        Assert.Equal(0f, window.Threshold);
        Assert.Equal(2, window.Count);
    }

    [Fact]
    public void Reset_NewScores_ReplacesContentsAndCountsThemAsSeen()
    {
        var window = new RollingPercentile(50, 4, warmUp: 3);
        for (var i = 0; i < 10; i++)
        {
            window.Add(100 + i);
        }

        window.Reset([1, 2, 3, 4, 5, 6], DateTimeOffset.UnixEpoch);

        Assert.Equal(4, window.Count);
        Assert.Equal(6, window.Seen);
        Assert.Equal(PercentileReference.Of([3, 4, 5, 6], 50), window.Threshold);
    }

    [Fact]
    public void Constructor_PercentileOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RollingPercentile(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RollingPercentile(100.5, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RollingPercentile(double.NaN, 10));
    }
}
