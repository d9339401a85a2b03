using System.Collections.Concurrent;
using System.Text;
using Detector.Models.Scoring;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Generators;
using Detector.Streams.Pipeline;
using Detector.Streams.Records;
using Detector.Streams.Thresholds;
using Detector.Streams.Training;
using Xunit;

namespace Detector.Tests.Pipeline;

/// <summary>The whole pipeline under load: nothing lost, nothing scored twice, swaps between batches, bad input kept.</summary>
public sealed class DetectorPipelineTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private static PipelineOptions Options(int warmUp = 2_000, long everyRows = 0) => new()
    {
        ModelActors = 2,
        Thresholds = new ThresholdOptions { Percentile = 99, WindowSize = 5_000, WarmUp = 500, SuppressionGap = TimeSpan.FromMinutes(5) },
        Retraining = new RetrainingOptions
        {
            WarmUpRows = warmUp, EveryRows = everyRows, ReservoirCapacity = 10_000, RecentCapacity = 5_000,
            Training = new Detector.Models.Training.TrainingOptions { Epochs = 4, Threads = 1 },
        },
    };

    private static (IRecordDecoder Decoder, FeatureSchema Schema, List<byte[]> Payloads) Cards(int records, ulong seed = 3)
    {
        var generator = RecordGenerators.Create("cards", seed);
        var payloads = Enumerable.Range(0, records).Select(_ => generator.Next().Payload).ToList();
        return (RecordDecoder.Create(generator.Schema), new FeatureSchema(generator.Schema.Features.Select(f => f.Name)), payloads);
    }

    [Fact]
    public async Task RunAsync_ContinuousLoadWithRetraining_EveryRecordScoredExactlyOnceAndSwapsBetweenBatches()
    {
        const int records = 40_000;
        var (decoder, schema, payloads) = Cards(records);
        var judged = new ConcurrentDictionary<string, long>();
        var duplicates = 0;
        var batchVersions = new ConcurrentQueue<long>();
        void Judged(RecordBatch batch)
        {
            batchVersions.Enqueue(batch.ModelVersion);
            for (var i = 0; i < batch.Count; i++)
            {
                if (!judged.TryAdd(batch.Info[i].Id, batch.ModelVersion))
                {
                    Interlocked.Increment(ref duplicates);
                }
            }
        }
        var alerts = new InMemoryAlertSink();
        var deadLetters = new InMemoryDeadLetterSink();
        await using var pipeline = new DetectorPipeline(Options(everyRows: 8_000), decoder, schema, alerts, deadLetters, batchJudged: Judged);
        var source = new ListSource(payloads);
        await pipeline.RunAsync(source).WaitAsync(HangGuard);

        Assert.Empty(deadLetters.Letters);
        Assert.Equal(0, duplicates);
        Assert.Equal(records, judged.Count);
        Assert.Equal(records - 1, source.AcknowledgedOffset);
        Assert.Equal(0, pipeline.Offsets.InFlight);
        Assert.All(batchVersions, v => Assert.True(v >= 1, "a batch was judged without a model version"));
        var versions = judged.Values.Distinct().Order().ToArray();
        Assert.True(versions.Length >= 2, $"no hot-swap happened during the run (versions: {string.Join(", ", versions)})");
        Assert.All(alerts.Alerts, a => Assert.Equal(judged[a.RecordId], a.ModelVersion));
        Assert.True(pipeline.Metrics.Alerts <= pipeline.Metrics.Anomalies);
    }

    [Fact]
    public async Task RunAsync_BadRecords_DeadLetteredWithReasonsAndStillAcknowledged()
    {
        var (decoder, schema, payloads) = Cards(3_000, seed: 5);
        var good = Encoding.UTF8.GetString(payloads[0]);
        var bad = new (string Payload, DeadLetterReason Reason)[]
        {
            ("{\"not json", DeadLetterReason.Malformed),
            ("[1,2,3]", DeadLetterReason.Malformed),
            (good.Replace("\"amount\":", "\"amount_x\":", StringComparison.Ordinal), DeadLetterReason.MissingField),
            (good.Replace("\"amount\":", "\"amount\":\"lots\",\"ignored\":", StringComparison.Ordinal), DeadLetterReason.NonNumeric),
            (good.Replace("\"amount\":", "\"amount\":\"NaN\",\"ignored\":", StringComparison.Ordinal), DeadLetterReason.NonFinite),
            ("{\"pad\":\"" + new string('x', 70_000) + "\"}", DeadLetterReason.Oversized),
        };
        var mixed = new List<byte[]>(payloads);
        for (var k = 0; k < bad.Length; k++)
        {
            mixed.Insert(500 + 400 * k, Encoding.UTF8.GetBytes(bad[k].Payload));
        }
        var deadLetters = new InMemoryDeadLetterSink();
        var scored = 0L;
        await using var pipeline = new DetectorPipeline(Options(warmUp: 1_000), decoder, schema, new InMemoryAlertSink(), deadLetters,
            batchJudged: b => Interlocked.Add(ref scored, b.Count));
        var source = new ListSource(mixed);
        await pipeline.RunAsync(source).WaitAsync(HangGuard);

        Assert.Equal(bad.Select(b => b.Reason), deadLetters.Letters.OrderBy(l => l.Position.Offset).Select(l => l.Reason));
        Assert.All(deadLetters.Letters, l => Assert.Equal(mixed[(int)l.Position.Offset], l.Payload.ToArray()));
        Assert.Equal(payloads.Count, scored);
        Assert.Equal(bad.Length, pipeline.Metrics.DeadLettered);
        Assert.Equal(mixed.Count - 1, source.AcknowledgedOffset);
    }

    [Fact]
    public async Task RunAsync_SinkHundredTimesSlower_NothingLostAndInFlightBounded()
    {
        const int records = 12_000;
        var (decoder, schema, payloads) = Cards(records, seed: 7);
        var options = Options(warmUp: 1_000) with { BatchMaxRows = 100 };
        var sink = new SlowAlertSink(TimeSpan.FromMilliseconds(10));
        var judged = 0L;
        await using var pipeline = new DetectorPipeline(options, decoder, schema, sink, new InMemoryDeadLetterSink(),
            batchJudged: b => Interlocked.Add(ref judged, b.Count));
        var source = new ListSource(payloads, chunkSize: 100);
        await pipeline.RunAsync(source).WaitAsync(HangGuard);

        Assert.Equal(records, judged);
        Assert.Equal(records - 1, source.AcknowledgedOffset);
        // Bound: what the mailboxes can hold (ingest chunks, model, threshold and sink batches) plus the open batch and
        // the rows held for the first model. The source cannot run further ahead than that.
        var batches = options.IngestMailboxCapacity + 1 + options.EffectiveModelActors * (options.ModelMailboxCapacity + 1) + 2 * (options.StageMailboxCapacity + 1);
        var bound = batches * options.BatchMaxRows + options.Retraining.WarmUpRows + 2 * options.BatchMaxRows;
        Assert.True(pipeline.Offsets.MaxInFlight <= bound, $"{pipeline.Offsets.MaxInFlight} records were in flight at once; the bound is {bound}");
        Assert.True(sink.Publishes >= records / options.BatchMaxRows, "the slow sink was bypassed");
    }

    /// <summary>An alert sink that takes a fixed time per publish (a slow downstream system).</summary>
    private sealed class SlowAlertSink(TimeSpan delay) : IAlertSink
    {
        private long _publishes;

        public long Publishes => Interlocked.Read(ref _publishes);

        public async ValueTask PublishAsync(IReadOnlyList<Alert> alerts, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _publishes);
            await Task.Delay(delay, cancellationToken);
        }
    }
}
