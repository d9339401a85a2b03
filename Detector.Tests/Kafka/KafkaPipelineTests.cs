using System.Text;
using Detector.Models.Scoring;
using Detector.Streams.Decoding;
using Detector.Streams.Generators;
using Detector.Streams.Kafka;
using Detector.Streams.Pipeline;
using Detector.Streams.Thresholds;
using Detector.Streams.Training;
using Xunit;

namespace Detector.Tests.Kafka;

/// <summary>One node's pipeline between Kafka topics on a real Kafka-protocol cluster (librdkafka's mock brokers).</summary>
public sealed class KafkaPipelineTests : IDisposable
{
    private readonly MockCluster _cluster = new(3);

    public void Dispose() => _cluster.Dispose();

    private KafkaOptions Options(string prefix) => new()
    {
        BootstrapServers = _cluster.BootstrapServers,
        GroupId = $"{prefix}-group",
        InputTopic = $"{prefix}-input",
        AlertsTopic = $"{prefix}-alerts",
        DeadLetterTopic = $"{prefix}-dead",
        CommitInterval = TimeSpan.FromMilliseconds(200),
        MaxInFlightRecords = 4_000,
        SessionTimeout = TimeSpan.FromSeconds(6),
    };

    private static PipelineOptions Pipeline() => new()
    {
        ModelActors = 2,
        Thresholds = new ThresholdOptions { Percentile = 99, WindowSize = 5_000, WarmUp = 500, SuppressionGap = TimeSpan.FromMinutes(5) },
        Retraining = new RetrainingOptions
        {
            WarmUpRows = 2_000, EveryRows = 0, ReservoirCapacity = 5_000, RecentCapacity = 2_000,
            Training = new Detector.Models.Training.TrainingOptions { Epochs = 3, Threads = 1 },
        },
    };

    [Fact]
    public async Task KafkaSourceAndSinks_RecordsWithPoison_AllScoredCommittedAlertsAndDeadLettersOnTopics()
    {
        var options = Options("one");
        _cluster.CreateTopic(options.InputTopic, 4);
        _cluster.CreateTopic(options.AlertsTopic, 2);
        _cluster.CreateTopic(options.DeadLetterTopic, 1);
        var generator = RecordGenerators.Create("cards", 5);
        var records = ReplayRecords.FromGenerator(generator, 20_000).ToList();
        records.Insert(7_000, new ReplayRecord(null, Encoding.UTF8.GetBytes("{not json")));
        records.Insert(12_000, new ReplayRecord(null, Encoding.UTF8.GetBytes("""{"amount": "lots"}""")));
        var replay = await new KafkaReplay(options, options.InputTopic).RunAsync(records, new ReplayOptions(), CancellationToken.None);
        Assert.Equal(records.Count, replay.Produced);

        using var producer = new KafkaProducerHost(options, "node-1");
        var source = new KafkaRecordSource(options, "node-1", chunkSize: 256);
        await using var pipeline = new DetectorPipeline(Pipeline(), RecordDecoder.Create(generator.Schema),
            new FeatureSchema(generator.Schema.Features.Select(f => f.Name)), new KafkaAlertSink(producer, options.AlertsTopic),
            new KafkaDeadLetterSink(producer, options.DeadLetterTopic, source.PartitionOf));
        var run = pipeline.RunAsync(source);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (source.AcknowledgedRecords < records.Count || source.Partitions.Count < 4)
        {
            Assert.True(DateTime.UtcNow < deadline, $"acknowledged {source.AcknowledgedRecords} of {records.Count}");
            Assert.False(run.IsFaulted, run.Exception?.ToString());
            await Task.Delay(100);
        }
        source.Stop();
        await run.WaitAsync(TimeSpan.FromMinutes(1));
        await source.DisposeAsync();

        Assert.Equal(records.Count - 2, pipeline.Metrics.Scored);
        Assert.True(source.Consumed >= records.Count);
        var committed = KafkaTopics.Committed(options, options.GroupId, options.InputTopic, 4);
        Assert.Equal(replay.HighWatermarks.OrderBy(k => k.Key), committed.OrderBy(k => k.Key));
        var dead = KafkaTopics.ReadAll(options, options.DeadLetterTopic, 1);
        Assert.Equal(2, dead.Count);
        Assert.Contains(dead, d => Encoding.UTF8.GetString(d.Message.Value) == "{not json"
            && Encoding.UTF8.GetString(d.Message.Headers.GetLastBytes(KafkaDeadLetterSink.ReasonHeader)) == "Malformed");
        Assert.Contains(dead, d => Encoding.UTF8.GetString(d.Message.Value).Contains("lots", StringComparison.Ordinal)
            && d.Message.Headers.GetLastBytes("detector-source-topic") is { } topic && Encoding.UTF8.GetString(topic) == options.InputTopic);
        var alerts = KafkaTopics.ReadAll(options, options.AlertsTopic, 2);
        Assert.True(pipeline.Metrics.Alerts > 0);
        Assert.Equal(pipeline.Metrics.Alerts, alerts.Count);
        Assert.All(alerts, a => Assert.Contains(Encoding.UTF8.GetString(a.Message.Key!), Encoding.UTF8.GetString(a.Message.Value), StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadAsync_CancelledWithAFullHandOverBuffer_DisposeCommitsWhatWasAcknowledgedWithoutWaitingForTheRest()
    {
        // A dispose that waited for the records the pipeline never took would wait the whole drain bound: far past the test's.
        var options = Options("stop") with { MaxInFlightRecords = 1_024, RevokeDrainTimeout = TimeSpan.FromMinutes(10) };
        _cluster.CreateTopic(options.InputTopic, 1);
        await new KafkaReplay(options, options.InputTopic).RunAsync(ReplayRecords.FromGenerator(RecordGenerators.Create("fleet", 2), 8_000),
            new ReplayOptions(), CancellationToken.None);
        var source = new KafkaRecordSource(options, "stopper", chunkSize: 256);
        using var cancel = new CancellationTokenSource();
        long acknowledged = -1;
        await foreach (var chunk in source.ReadAsync(cancel.Token))
        {
            acknowledged = chunk[^1].Position.Offset;
            source.Acknowledge(chunk[^1].Position);
            if (acknowledged >= 2_000 && !cancel.IsCancellationRequested)
            {
                // The pipeline stops taking: the consumer fills the hand-over buffer, and after a second of waiting pauses.
                await Poll.UntilAsync(() => source.IsPaused, "the consumer to pause its partitions behind a full hand-over buffer", TimeSpan.FromSeconds(60));
                Assert.True(source.InFlight >= options.MaxInFlightRecords, $"{source.InFlight} records in flight, the buffer holds {options.MaxInFlightRecords}");
                cancel.Cancel();
            }
        }
        Assert.InRange(acknowledged, 2_000, 2_300); // a stop ends the stream at once, however much is buffered
        Assert.Equal(0, source.InFlight); // what the stop left in the hand-over buffer no longer counts as in flight
        await source.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(acknowledged + 1, KafkaTopics.Committed(options, options.GroupId, options.InputTopic, 1)[0]);
    }
}

