using Detector.Models.Scoring;
using Detector.Models.Training;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Pipeline;
using Detector.Streams.Training;
using Detector.Tests.Pipeline;
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
    public async Task RunAsync_DecodeFailures_KeptBySinkAndCountedPerReasonByThePipeline()
    {
        var schema = new RecordSchemaOptions { Features = [new FeatureField("amount")] };
        var features = new FeatureSchema(["amount"]);
        var registry = new ModelRegistry();
        registry.Publish(new Trainer().Train(Enumerable.Range(0, 40).Select(i => (float)Math.Sin(i)).ToArray(), 40, features, new(), new() { Epochs = 1 }));
        var sink = new InMemoryDeadLetterSink();
        string[] records =
        [
            """{"amount":1,"entity":"a","timestamp":1}""",
            """{"amount":"NaN","entity":"a","timestamp":1}""",
            """{"amount":"x","entity":"a","timestamp":1}""",
            """{"entity":"a","timestamp":1}""",
            """{"amount":1,""",
            """{"amount":2,"entity":"a","timestamp":2}""",
        ];
        var source = new ListSource(records.Select(r => System.Text.Encoding.UTF8.GetBytes(r)).ToList(), chunkSize: 2);
        await using var pipeline = new DetectorPipeline(new PipelineOptions(), RecordDecoder.Create(schema), features, new InMemoryAlertSink(), sink, registry);

        await pipeline.RunAsync(source).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal([1L, 2L, 3L, 4L], sink.Letters.Select(l => l.Position.Offset).Order());
        var metrics = pipeline.Metrics;
        Assert.Equal(1, metrics.DeadLetteredFor(DeadLetterReason.NonFinite));
        Assert.Equal(1, metrics.DeadLetteredFor(DeadLetterReason.NonNumeric));
        Assert.Equal(1, metrics.DeadLetteredFor(DeadLetterReason.MissingField));
        Assert.Equal(1, metrics.DeadLetteredFor(DeadLetterReason.Malformed));
        Assert.Equal(4, Enum.GetValues<DeadLetterReason>().Sum(metrics.DeadLetteredFor));
        Assert.Equal(4, pipeline.Metrics.DeadLettered);
        Assert.Equal(2, pipeline.Metrics.Scored);
        Assert.Equal(records.Length - 1, source.AcknowledgedOffset);
        Assert.All(sink.Letters.Where(l => l.Reason != DeadLetterReason.Malformed), l => Assert.Contains("amount", l.Detail, StringComparison.Ordinal));
    }
}
