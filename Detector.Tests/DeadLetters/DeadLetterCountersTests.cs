using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Records;
using Xunit;

namespace Detector.Tests.DeadLetters;

/// <summary>Counters count every increment per reason, from any number of threads.</summary>
public sealed class DeadLetterCountersTests
{
    [Fact]
    public void Increment_ConcurrentThreads_EveryIncrementCountedPerReason()
    {
        var counters = new DeadLetterCounters();
        var reasons = Enum.GetValues<DeadLetterReason>();
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                counters.Increment(reasons[i % reasons.Length]);
            }
        });

        var snapshot = counters.Snapshot();
        Assert.Equal(reasons.Length, snapshot.Count);
        foreach (var reason in reasons)
        {
            var expected = 4 * Enumerable.Range(0, 10_000).Count(i => reasons[i % reasons.Length] == reason);
            Assert.Equal(expected, counters.Get(reason));
            Assert.Equal(expected, snapshot[reason]);
        }
        Assert.Equal(40_000, counters.Total);
    }

    [Fact]
    public void Snapshot_Fresh_EveryReasonZero()
    {
        var snapshot = new DeadLetterCounters().Snapshot();
        Assert.Equal(Enum.GetValues<DeadLetterReason>().Order(), snapshot.Keys.Order());
        Assert.All(snapshot.Values, v => Assert.Equal(0, v));
    }

    [Fact]
    public void Increment_UndefinedReason_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeadLetterCounters().Increment((DeadLetterReason)42));

    [Fact]
    public async Task DecodeFailures_ToSinkAndCounters_KeptAndCountedPerReason()
    {
        var decoder = RecordDecoder.Create(new RecordSchemaOptions { Features = [new FeatureField("amount")] });
        var sink = new InMemoryDeadLetterSink();
        var counters = new DeadLetterCounters();
        string[] records =
        [
            """{"amount":1,"entity":"a","timestamp":1}""",
            """{"amount":"NaN","entity":"a","timestamp":1}""",
            """{"amount":"x","entity":"a","timestamp":1}""",
            """{"entity":"a","timestamp":1}""",
            """{"amount":1,""",
        ];
        var features = new float[1];
        for (var i = 0; i < records.Length; i++)
        {
            var payload = System.Text.Encoding.UTF8.GetBytes(records[i]);
            if (!decoder.TryDecode(payload, new SourcePosition(0, i), features, out _, out var error))
            {
                await sink.WriteAsync(new DeadLetter(payload, new SourcePosition(0, i), error.Reason, error.Detail), CancellationToken.None);
                counters.Increment(error.Reason);
            }
        }

        Assert.Equal([1L, 2L, 3L, 4L], sink.Letters.Select(l => l.Position.Offset));
        Assert.Equal(1, counters.Get(DeadLetterReason.NonFinite));
        Assert.Equal(1, counters.Get(DeadLetterReason.NonNumeric));
        Assert.Equal(1, counters.Get(DeadLetterReason.MissingField));
        Assert.Equal(1, counters.Get(DeadLetterReason.Malformed));
        Assert.All(sink.Letters.Take(3), l => Assert.Contains("amount", l.Detail, StringComparison.Ordinal));
    }
}
