using Detector.Models.Numerics;
using Detector.Streams.Pipeline;
using Detector.Streams.Records;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Detector.Tests.Pipeline;

/// <summary>The offset tracker acknowledges only contiguous prefixes of completed records.</summary>
public sealed class OffsetTrackerTests
{
    [Fact]
    public void Complete_AnyOrder_AcknowledgesOnlyCompletedPrefixes()
    {
        var arb = (from partitions in Gen.Choose(1, 4)
                   from records in Gen.Choose(1, 300)
                   from seed in Gen.Choose(0, int.MaxValue)
                   select (partitions, records, seed)).ToArbitrary();
        Prop.ForAll(arb, c =>
        {
            var tracker = new OffsetTracker();
            var acked = new Dictionary<int, long>();
            tracker.Acknowledged += p => acked[p.Partition] = Math.Max(acked.GetValueOrDefault(p.Partition, -1), p.Offset);
            var rng = new Rng((ulong)c.seed);
            var positions = new List<SourcePosition>();
            var next = new long[c.partitions];
            for (var i = 0; i < c.records; i++)
            {
                var p = rng.NextInt(c.partitions);
                next[p] += 1 + rng.NextInt(3); // offsets may have gaps
                positions.Add(new SourcePosition(p, next[p]));
            }
            tracker.Register(positions.ToArray());
            var order = Enumerable.Range(0, positions.Count).ToArray();
            rng.Shuffle(order);
            var done = new HashSet<SourcePosition>();
            foreach (var k in order)
            {
                tracker.Complete([positions[k]]);
                done.Add(positions[k]);
                foreach (var (partition, offset) in acked)
                {
                    // Everything of this partition at or before the acknowledged offset is done.
                    Assert.All(positions.Where(p => p.Partition == partition && p.Offset <= offset), p => Assert.Contains(p, done));
                    Assert.Equal(offset, tracker.AcknowledgedOffset(partition));
                }
            }
            Assert.Equal(0, tracker.InFlight);
            for (var p = 0; p < c.partitions; p++)
            {
                if (next[p] > 0)
                {
                    Assert.Equal(next[p], acked[p]);
                }
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Register_OutOfOrder_Throws()
    {
        var tracker = new OffsetTracker();
        tracker.Register([new SourcePosition(0, 5)]);
        var e = Assert.Throws<InvalidOperationException>(() => tracker.Register([new SourcePosition(0, 5)]));
        Assert.Contains("offset 5", e.Message);
    }

    [Fact]
    public void Complete_Twice_Throws()
    {
        var tracker = new OffsetTracker();
        tracker.Register([new SourcePosition(0, 1), new SourcePosition(0, 2)]);
        tracker.Complete([new SourcePosition(0, 2)]);
        Assert.Throws<InvalidOperationException>(() => tracker.Complete([new SourcePosition(0, 2)]));
        Assert.Equal(-1, tracker.AcknowledgedOffset(0));
    }

    [Fact]
    public async Task WhenIdleAsync_CompletesWhenTheLastRecordCompletes()
    {
        var tracker = new OffsetTracker();
        Assert.True(tracker.WhenIdleAsync().IsCompleted);
        tracker.Register([new SourcePosition(0, 0), new SourcePosition(1, 0)]);
        var idle = tracker.WhenIdleAsync();
        tracker.Complete([new SourcePosition(1, 0)]);
        Assert.False(idle.IsCompleted);
        tracker.Complete([new SourcePosition(0, 0)]);
        await idle.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
