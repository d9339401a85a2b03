using Detector.Streams.Thresholds;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Xunit;

namespace Detector.Tests.Thresholds;

/// <summary>The sketch window against the sorted-window reference: the relative bound at every step, warm-up, memory, allocation.</summary>
public sealed class SketchPercentileTests
{
    private static readonly double[] NicePercentiles = [0.1, 1, 5, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100];

    private static readonly double[] RelativeErrors = [SketchPercentile.MinRelativeError, 0.001, 0.01, SketchPercentile.MaxRelativeError];

    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A score from one of several shapes: uniform with both signs, log-normal, ties with zeros, tiny and huge magnitudes.</summary>
    private static float Draw(Random random, int shape) => shape switch
    {
        0 => (float)(random.NextDouble() * 10 - 5),
        1 => (float)Math.Exp(Normal(random) * 3),
        2 => random.Next(-3, 4),
        3 => (random.Next(2) == 0 ? -1 : 1) * (float)Math.Pow(10, random.Next(-45, 39) + random.NextDouble()),
        _ => random.Next(3) == 0 ? 0f : (float)(random.NextDouble() * 1e-11),
    };

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void Threshold_ManySeededRandomStreams_StaysWithinTheRelativeErrorOfTheReference()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            var windowSize = random.Next(1, 200);
            var percentile = seed % 3 == 0 ? 100 * (1 - random.NextDouble()) : NicePercentiles[random.Next(NicePercentiles.Length)];
            var relativeError = RelativeErrors[seed % RelativeErrors.Length];
            var shape = seed / RelativeErrors.Length % 5;
            var warmUp = random.Next(0, 2 * windowSize);
            var length = random.Next(0, 3 * windowSize + 2);
            var sketch = new SketchPercentile(percentile, windowSize, relativeError, warmUp);
            var exact = new RollingPercentile(percentile, windowSize, warmUp);
            var all = new List<float>();
            for (var i = 0; i < length; i++)
            {
                var score = Draw(random, shape);
                sketch.Add(score);
                exact.Add(score);
                all.Add(score);
                var expected = PercentileReference.Of(all.Skip(Math.Max(0, all.Count - windowSize)), percentile);
                var context = $"seed {seed}, W {windowSize}, p {percentile}, a {relativeError}, shape {shape}, after {i + 1}";
                Assert.True(SketchBound.Holds(expected, sketch.ValueAt(percentile), relativeError),
                    $"{context}: expected {expected}, got {sketch.ValueAt(percentile)}");
                Assert.Equal(exact.IsWarm, sketch.IsWarm);
                Assert.Equal(exact.Count, sketch.Count);
                // Not warm: both +∞; warm: the bound (which also holds +∞ to +∞).
                Assert.True(SketchBound.Holds(exact.Threshold, sketch.Threshold, relativeError), $"{context}: threshold {sketch.Threshold} vs {exact.Threshold}");
            }
        }
    }

    [Fact]
    public void Threshold_RandomStreamsWindowsPercentilesAndErrors_StaysWithinTheBoundAndWarmsUpLikeTheExactWindow()
    {
        var magnitudes = Gen.Choose(-3_000, 3_000).Select(e => (float)Math.Exp(e / 100.0));
        var scores = Gen.OneOf(
            Gen.Choose(-3, 3).Select(x => (float)x),
            magnitudes,
            magnitudes.Zip(Gen.Elements(-1f, 1f)).Select(x => x.Item1 * x.Item2),
            Gen.Elements(0f, -0f, 1e-13f, -1e-13f, 1e-12f, 1f, float.MaxValue, -float.MaxValue, float.Epsilon));
        var streams = Gen.OneOf(scores.ArrayOf(), Gen.Elements(1f, 2f, 2f, 5f).ArrayOf()).ToArbitrary();
        var shapes = Gen.Choose(1, 60).Zip(Gen.Elements(NicePercentiles).Zip(Gen.Elements(RelativeErrors)))
            .Zip(Gen.Choose(0, 40))
            .Select(x => (Window: x.Item1.Item1, Percentile: x.Item1.Item2.Item1, Error: x.Item1.Item2.Item2, WarmUp: x.Item2))
            .ToArbitrary();
        var property = Prop.ForAll(streams, shapes, (stream, shape) =>
        {
            var sketch = new SketchPercentile(shape.Percentile, shape.Window, shape.Error, shape.WarmUp);
            var exact = new RollingPercentile(shape.Percentile, shape.Window, shape.WarmUp);
            for (var i = 0; i < stream.Length; i++)
            {
                sketch.Add(stream[i]);
                exact.Add(stream[i]);
                var bounded = SketchBound.Holds(exact.Threshold, sketch.Threshold, shape.Error)
                    && SketchBound.Holds(exact.ValueAt(shape.Percentile), sketch.ValueAt(shape.Percentile), shape.Error);
                if (!bounded || sketch.IsWarm != exact.IsWarm || sketch.Count != exact.Count || sketch.AllocatedCapacity > shape.Window)
                {
                    return false;
                }
            }
            return true;
        });
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(500)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(8675309UL, 13UL), FSharpOption<int>.None)));
        Check.One(config, property);
    }

    [Fact]
    public void ValueAt_OtherPercentilesOfALogNormalWindow_StayWithinTheBound()
    {
        var random = new Random(5);
        var sketch = new SketchPercentile(99, 5000, 0.001);
        var all = new List<float>();
        for (var i = 0; i < 12_000; i++)
        {
            var score = (float)Math.Exp(Normal(random) * 4);
            sketch.Add(score);
            all.Add(score);
        }

        var window = all.Skip(all.Count - 5000).ToArray();
        foreach (var percentile in NicePercentiles)
        {
            var expected = PercentileReference.Of(window, percentile);
            Assert.True(SketchBound.Holds(expected, sketch.ValueAt(percentile), 0.001), $"p {percentile}: {sketch.ValueAt(percentile)} vs {expected}");
        }
    }

    [Fact]
    public void Threshold_Infinities_AreReturnedExactly()
    {
        var sketch = new SketchPercentile(100, 3, 0.01);
        sketch.Add(1f);
        sketch.Add(float.PositiveInfinity);
        Assert.Equal(float.PositiveInfinity, sketch.ValueAt(100));
        sketch.Add(float.NegativeInfinity);

        Assert.Equal(float.NegativeInfinity, sketch.ValueAt(1));
        Assert.True(SketchBound.Holds(1f, sketch.ValueAt(50), 0.01));
    }

    [Fact]
    public void Threshold_BeforeWarmUp_IsInfiniteAsForTheExactWindow()
    {
        var sketch = new SketchPercentile(50, 100, 0.01, warmUp: 10);
        for (var i = 0; i < 9; i++)
        {
            sketch.Add(i);
            Assert.False(sketch.IsWarm);
            Assert.Equal(float.PositiveInfinity, sketch.Threshold);
        }

        sketch.Add(9);

        Assert.True(sketch.IsWarm);
        Assert.True(SketchBound.Holds(4f, sketch.Threshold, 0.01));
    }

    [Fact]
    public void Add_FarMoreScoresThanTheWindow_NeverHoldsOrAllocatesMore()
    {
        var random = new Random(7);
        var sketch = new SketchPercentile(99, 100, 0.001);
        for (var i = 0; i < 20_000; i++)
        {
            sketch.Add((float)random.NextDouble());
            Assert.True(sketch.Count <= 100);
        }

        Assert.Equal(100, sketch.Count);
        Assert.True(sketch.AllocatedCapacity <= 100);
        Assert.Equal(20_000, sketch.Seen);
        // Fixed bucket memory: about 117 / a buckets for the whole float range.
        Assert.InRange(sketch.BucketCount, 100_000, 130_000);
    }

    [Fact]
    public void Add_SteadyState_AllocatesNothing()
    {
        var random = new Random(11);
        var scores = new float[200_000];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = (float)Math.Exp(Normal(random) * 2);
        }
        var sketch = new SketchPercentile(99, 10_000, 0.001);
        var timed = new SketchPercentile(99, TimeSpan.FromSeconds(5), 10_000, 0.001);
        var sum = 0.0;
        var now = 0L;

        // Bytes this thread allocated over one pass of the measured half of the scores.
        long Pass()
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 100_000; i < scores.Length; i++)
            {
                sketch.Add(scores[i]);
                timed.Add(scores[i], T0.AddMilliseconds(now++));
                sum += sketch.Threshold + timed.Threshold;
            }
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        for (var i = 0; i < 100_000; i++)
        {
            sketch.Add(scores[i]);
            timed.Add(scores[i], T0.AddMilliseconds(now++));
        }
        // The runtime may allocate on this thread while it tiers the loop up (tiered JIT, on-stack replacement), more
        // so on a loaded machine: warm up until a pass allocates nothing (or 20 passes), then take the least of a few
        // passes. An allocation per add (24 bytes at least) would show in every pass as 2.4 MB.
        for (var pass = 0; pass < 20 && Pass() != 0; pass++)
        {
        }
        var least = long.MaxValue;
        for (var repeat = 0; repeat < 3; repeat++)
        {
            least = Math.Min(least, Pass());
        }

        Assert.True(sum > 0);
        Assert.Equal(0, least);
    }

    [Fact]
    public void Threshold_SeededRandomTimedStreams_MatchesTheTimeWindowWithinTheBound()
    {
        for (var seed = 0; seed < 100; seed++)
        {
            var random = new Random(2000 + seed);
            var span = TimeSpan.FromSeconds(random.Next(1, 60));
            var maxCount = random.Next(1, 80);
            var percentile = 100 * (1 - random.NextDouble());
            var relativeError = RelativeErrors[seed % RelativeErrors.Length];
            var warmUp = random.Next(0, 50);
            var sketch = new SketchPercentile(percentile, span, maxCount, relativeError, warmUp);
            var exact = new TimeWindowPercentile(percentile, span, maxCount, warmUp);
            var now = T0;
            for (var i = 0; i < 400; i++)
            {
                // Mostly forward, sometimes late: eviction runs in arrival order in both.
                now = now.AddMilliseconds(random.Next(-500, 3000));
                var score = Draw(random, seed % 5);
                sketch.Add(score, now);
                exact.Add(score, now);
                if (random.Next(20) == 0)
                {
                    var later = now.AddSeconds(random.Next(0, 90));
                    sketch.AdvanceTo(later);
                    exact.AdvanceTo(later);
                }
                Assert.Equal(exact.Count, sketch.Count);
                Assert.Equal(exact.IsWarm, sketch.IsWarm);
                Assert.Equal(exact.Newest, sketch.Newest);
                Assert.True(SketchBound.Holds(exact.Threshold, sketch.Threshold, relativeError),
                    $"seed {seed}, step {i}: expected {exact.Threshold}, got {sketch.Threshold}");
            }
        }
    }

    [Fact]
    public void Reset_NewScores_ReplacesContentsAndCountsThemAsSeen()
    {
        var sketch = new SketchPercentile(50, 4, 0.01, warmUp: 3);
        for (var i = 0; i < 10; i++)
        {
            sketch.Add(100 + i);
        }

        sketch.Reset([1, 2, 3, 4, 5, 6], DateTimeOffset.UnixEpoch);

        Assert.Equal(4, sketch.Count);
        Assert.Equal(6, sketch.Seen);
        Assert.True(sketch.IsWarm);
        Assert.True(SketchBound.Holds(PercentileReference.Of([3, 4, 5, 6], 50), sketch.Threshold, 0.01));
    }

    [Fact]
    public void Clear_AfterScores_ForgetsWarmUpAndContents()
    {
        var sketch = new SketchPercentile(90, TimeSpan.FromMinutes(1), 100, 0.01, warmUp: 2);
        sketch.Add(5, T0);
        sketch.Add(7, T0.AddSeconds(1));
        Assert.True(sketch.IsWarm);

        sketch.Clear();

        Assert.Equal(0, sketch.Count);
        Assert.Equal(0, sketch.Seen);
        Assert.False(sketch.IsWarm);
        Assert.Null(sketch.Newest);
        Assert.Equal(float.PositiveInfinity, sketch.ValueAt(50));
        sketch.Add(3, T0);
        sketch.Add(3, T0);
        Assert.True(SketchBound.Holds(3f, sketch.Threshold, 0.01));
    }

    [Fact]
    public void Add_NaN_ThrowsNamingTheScore()
    {
        var sketch = new SketchPercentile(50, 10, 0.01);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Add(float.NaN));

        Assert.Equal("score", error.ParamName);
    }

    [Fact]
    public void Add_WithoutTimestampOnATimeWindow_Throws()
    {
        var sketch = new SketchPercentile(50, TimeSpan.FromSeconds(1), 10, 0.01);

        Assert.Throws<InvalidOperationException>(() => sketch.Add(1f));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.00001)]
    [InlineData(0.051)]
    [InlineData(-0.01)]
    [InlineData(double.NaN)]
    public void Constructor_RelativeErrorOutOfRange_ThrowsNamingIt(double relativeError)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SketchPercentile(99, 10, relativeError));

        Assert.Equal("relativeError", error.ParamName);
    }

    [Fact]
    public void Constructor_BadPercentileWindowOrSize_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SketchPercentile(0, 10, 0.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SketchPercentile(99, 0, 0.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SketchPercentile(99, TimeSpan.Zero, 10, 0.01));
    }
}
