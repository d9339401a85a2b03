using System.Text;
using Detector.Streams.Decoding;
using Detector.Streams.Records;
using Detector.Streams.Windows;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Detector.Tests.Windowed;

/// <summary>Per-entity sliding windows: order, padding, isolation between entities, bounded memory, and the decoder wrapper.</summary>
public sealed class SlidingWindowAssemblerTests
{
    [Fact]
    public void Push_FewerRowsThanSteps_PadsWithFirstRowThenSlides()
    {
        var a = new SlidingWindowAssembler(steps: 3, sensors: 2);
        var w = new float[6];
        Assert.Equal(1, a.Push("e", [1, 10], w));
        Assert.Equal([1, 10, 1, 10, 1, 10], w);
        Assert.Equal(2, a.Push("e", [2, 20], w));
        Assert.Equal([1, 10, 1, 10, 2, 20], w);
        Assert.Equal(3, a.Push("e", [3, 30], w));
        Assert.Equal([1, 10, 2, 20, 3, 30], w);
        Assert.Equal(3, a.Push("e", [4, 40], w));
        Assert.Equal([2, 20, 3, 30, 4, 40], w);
    }

    [Fact]
    public void Push_InterleavedEntities_EachWindowHoldsOnlyItsOwnRowsInOrder()
    {
        var arb = Gen.Choose(0, 3).ArrayOf().Where(a => a.Length > 0).ToArbitrary();
        Prop.ForAll(arb, entities =>
        {
            const int steps = 4;
            var a = new SlidingWindowAssembler(steps, sensors: 1);
            var history = new Dictionary<int, List<float>>();
            var w = new float[steps];
            for (var i = 0; i < entities.Length; i++)
            {
                var e = entities[i];
                (history.TryGetValue(e, out var h) ? h : history[e] = []).Add(i);
                a.Push($"entity-{e}", [i], w);
                var seen = history[e];
                var expected = Enumerable.Range(seen.Count - steps, steps).Select(k => seen[Math.Max(k, 0)]).ToArray();
                Assert.Equal(expected, w);
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Push_MoreEntitiesThanBound_ForgetsLeastRecentlySeenWhichStartsOver()
    {
        var a = new SlidingWindowAssembler(steps: 2, sensors: 1, maxEntities: 2);
        var w = new float[2];
        a.Push("a", [1], w);
        a.Push("b", [2], w);
        a.Push("a", [3], w); // a is now the most recent
        a.Push("c", [4], w); // forgets b
        Assert.Equal(2, a.EntityCount);
        Assert.Equal(2, a.Push("a", [5], w));
        Assert.Equal([3, 5], w);
        Assert.Equal(1, a.Push("b", [6], w)); // b starts over, padded
        Assert.Equal([6, 6], w);
    }

    [Fact]
    public void WindowingDecoder_BadRecord_RejectedWithInnerReasonAndWindowUnchanged()
    {
        var inner = RecordDecoder.Create(new RecordSchemaOptions { Features = [new FeatureField("x")], EntityField = "host", TimestampField = "t" });
        var decoder = new WindowingDecoder(inner, steps: 2);
        Assert.Equal(2, decoder.FeatureCount);
        var f = new float[2];
        Assert.True(decoder.TryDecode(Json("{\"host\":\"h\",\"t\":1,\"x\":1}"), new SourcePosition(0, 0), f, out _, out _));
        Assert.False(decoder.TryDecode(Json("{\"host\":\"h\",\"t\":2,\"x\":\"oops\"}"), new SourcePosition(0, 1), f, out _, out var error));
        Assert.Equal(Detector.Streams.DeadLetters.DeadLetterReason.NonNumeric, error.Reason);
        Assert.True(decoder.TryDecode(Json("{\"host\":\"h\",\"t\":3,\"x\":3}"), new SourcePosition(0, 2), f, out var info, out _));
        Assert.Equal([1f, 3f], f);
        Assert.Equal("h", info.EntityKey);
    }

    [Fact]
    public void WindowSchema_Names_CurrentStepKeepsSensorNames()
    {
        Assert.Equal(["a@t-2", "b@t-2", "a@t-1", "b@t-1", "a", "b"], WindowSchema.Names(["a", "b"], 3));
    }

    private static byte[] Json(string s) => Encoding.UTF8.GetBytes(s);
}
