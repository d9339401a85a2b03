using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Pipeline;
using Detector.Tests.Pipeline;
using Xunit;

namespace Detector.Tests.Actors;

/// <summary>The stream's backpressure: a sink far slower than scoring slows the source, and in-flight work stays within its bounds.</summary>
public sealed class BackpressureTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task RunAsync_SinkHundredTimesSlowerThanScoring_InFlightNeverExceedsTheConfiguredBounds()
    {
        const int records = 4_000;
        var (decoder, schema, payloads) = PipelineFixture.Cards(records);
        var options = PipelineFixture.Options(modelActors: 2) with { MaxBatchesInFlight = 3, MaxPendingWrites = 2 };
        // Scoring a batch of 50 rows takes well under 0.2 ms here; each publish takes 20 ms (>= 100x slower).
        var sink = new SlowAlertSink(TimeSpan.FromMilliseconds(20));
        var judged = 0L;
        await using var pipeline = new DetectorPipeline(options, decoder, schema, sink, new InMemoryDeadLetterSink(),
            PipelineFixture.Registry(decoder, schema, payloads), batchJudged: b => Interlocked.Add(ref judged, b.Count), system: Sys);
        var source = new ListSource(payloads, chunkSize: 50);

        await pipeline.RunAsync(source).WaitAsync(Bound);

        Assert.Equal(records, Interlocked.Read(ref judged));
        Assert.Equal(records - 1, source.AcknowledgedOffset);
        Assert.InRange(pipeline.PeakBatchesScoring, 1, options.MaxBatchesInFlight);
        Assert.InRange(pipeline.PeakPublishing, 1, options.MaxPendingWrites);
        Assert.InRange(sink.PeakConcurrent, 1, options.MaxPendingWrites);
        var bound = options.MaxRecordsInFlight(chunkRecords: 50);
        Assert.True(pipeline.Offsets.MaxInFlight <= bound, $"{pipeline.Offsets.MaxInFlight} records were in flight at once; the bound is {bound}");
    }

    [Fact]
    public void Validate_MaxBatchesInFlightOutOfRange_NamesTheKeyAndTheAllowedValues()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => (PipelineFixture.Options() with { MaxBatchesInFlight = -1 }).Validate());

        Assert.Contains("MaxBatchesInFlight", e.Message, StringComparison.Ordinal);
        Assert.Contains("[0, 65536]", e.Message, StringComparison.Ordinal);
    }

    /// <summary>An alert sink that takes a fixed time per publish and records how many publishes overlapped.</summary>
    private sealed class SlowAlertSink(TimeSpan delay) : IAlertSink
    {
        private long _concurrent;
        private long _peak;

        public long PeakConcurrent => Interlocked.Read(ref _peak);

        public async ValueTask PublishAsync(IReadOnlyList<Alert> alerts, CancellationToken cancellationToken)
        {
            Streams.Common.AtomicMax.Update(ref _peak, Interlocked.Increment(ref _concurrent));
            try
            {
                await Task.Delay(delay, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _concurrent);
            }
        }
    }
}
