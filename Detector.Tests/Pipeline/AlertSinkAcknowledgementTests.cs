using System.Collections.Concurrent;
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

/// <summary>At-least-once: a batch's records are acknowledged only once the alert sink has confirmed its alerts.</summary>
public sealed class AlertSinkAcknowledgementTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    private static readonly PipelineOptions Options = new()
    {
        ModelActors = 1,
        BatchMaxRows = 100,
        Thresholds = new ThresholdOptions { Percentile = 95, WarmUp = 200, SuppressionGap = TimeSpan.Zero },
        Retraining = new RetrainingOptions { WarmUpRows = 500, EveryRows = 0, Training = new() { Epochs = 2, Threads = 1 } },
    };

    private static (DetectorPipeline Pipeline, ListSource Source, List<long> FirstOffsets) Start(IAlertSink sink, int records)
    {
        var generator = RecordGenerators.Create("cards", 17);
        var payloads = Enumerable.Range(0, records).Select(_ => generator.Next().Payload).ToList();
        var firstOffsets = new List<long>();
        var pipeline = new DetectorPipeline(Options, RecordDecoder.Create(generator.Schema), new FeatureSchema(generator.Schema.Features.Select(f => f.Name)),
            sink, new InMemoryDeadLetterSink(), batchJudged: b =>
            {
                lock (firstOffsets)
                {
                    firstOffsets.Add(b.Positions[0].Offset);
                }
            });
        return (pipeline, new ListSource(payloads, chunkSize: 100), firstOffsets);
    }

    [Fact]
    public async Task RunAsync_OnePublishBlocked_RecordsFromItsBatchOnNeverAcknowledgedUntilItIsConfirmed()
    {
        const int records = 3_000;
        var sink = new ScriptedAlertSink(blocked: 3);
        var (pipeline, source, firstOffsets) = Start(sink, records);
        await using (pipeline)
        {
            // Released whatever happens: the pipeline's disposal waits for the held publish.
            using var release = new Releaser(sink);
            var run = pipeline.RunAsync(source);
            // Publishes are made in the order batches are judged: the third one carries the third batch judged.
            await Poll.UntilAsync(() => sink.Confirmed >= 10, "ten later publishes confirmed past the blocked one", Bound, run);
            long blockedFrom;
            lock (firstOffsets)
            {
                blockedFrom = firstOffsets[2];
            }

            Assert.True(sink.IsBlocked);
            Assert.Equal(blockedFrom - 1, source.AcknowledgedOffset);
            Assert.False(run.IsCompleted);

            sink.Unblock();
            await run.WaitAsync(Bound);
            Assert.Equal(records - 1, source.AcknowledgedOffset);
            Assert.Equal(0, pipeline.Offsets.InFlight);
        }
    }

    [Fact]
    public async Task RunAsync_AlertSinkFailing_NothingAcknowledgedThenEveryAlertDeliveredOnceItRecovers()
    {
        const int records = 3_000;
        var sink = new ScriptedAlertSink(blocked: 0) { Failing = true };
        var (pipeline, source, _) = Start(sink, records);
        await using (pipeline)
        {
            using var release = new Releaser(sink);
            var run = pipeline.RunAsync(source);
            await Poll.UntilAsync(() => sink.Failures >= 5, "the failing publishes retried", Bound, run);

            Assert.Equal(-1, source.AcknowledgedOffset);
            Assert.Empty(sink.Delivered);

            sink.Failing = false;
            await run.WaitAsync(Bound);
            Assert.Equal(records - 1, source.AcknowledgedOffset);
            Assert.True(pipeline.Metrics.Alerts > 0, "no alerts were raised: the test shows nothing");
            Assert.Equal(pipeline.Metrics.Alerts, sink.Delivered.Length);
            Assert.Equal(sink.Delivered.Length, sink.Delivered.Select(a => a.RecordId).Distinct().Count());
        }
    }

    /// <summary>Unblocks and heals the sink on dispose, so a failed assertion cannot leave the pipeline's disposal waiting.</summary>
    private sealed class Releaser(ScriptedAlertSink sink) : IDisposable
    {
        public void Dispose()
        {
            sink.Failing = false;
            sink.Unblock();
        }
    }

    /// <summary>
    /// An alert sink that fails while <see cref="Failing"/>, and holds its <c>blocked</c>-th publish (1-based; 0: none)
    /// unconfirmed until <see cref="Unblock"/>, confirming the others at once.
    /// </summary>
    private sealed class ScriptedAlertSink(int blocked) : IAlertSink
    {
        private readonly TaskCompletionSource _unblocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<Alert> _delivered = new();
        private int _publishes;
        private int _confirmed;
        private int _failures;
        private volatile bool _failing;
        private volatile bool _isBlocked;

        public bool Failing { get => _failing; set => _failing = value; }

        public bool IsBlocked => _isBlocked;

        public int Confirmed => Volatile.Read(ref _confirmed);

        public int Failures => Volatile.Read(ref _failures);

        public Alert[] Delivered => _delivered.ToArray();

        public void Unblock() => _unblocked.TrySetResult();

        public async ValueTask PublishAsync(IReadOnlyList<Alert> alerts, CancellationToken cancellationToken)
        {
            if (_failing)
            {
                Interlocked.Increment(ref _failures);
                throw new IOException("the alert topic is unavailable");
            }
            if (Interlocked.Increment(ref _publishes) == blocked)
            {
                _isBlocked = true;
                await _unblocked.Task.WaitAsync(cancellationToken);
                _isBlocked = false;
            }
            foreach (var alert in alerts)
            {
                _delivered.Enqueue(alert);
            }
            Interlocked.Increment(ref _confirmed);
        }
    }
}
