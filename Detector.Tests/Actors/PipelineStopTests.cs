using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Pipeline;
using Detector.Tests.Pipeline;
using Xunit;

namespace Detector.Tests.Actors;

/// <summary>Stopping a pipeline whose run is in progress: the stream drains through its kill switch, then the actors stop.</summary>
public sealed class PipelineStopTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task StopAsync_RunWaitingOnAnOpenSource_RunEndsWithEverythingReadAcknowledgedAndTheActorsStop()
    {
        var (decoder, schema, payloads) = PipelineFixture.Cards(1_000);
        var pipeline = new DetectorPipeline(PipelineFixture.Options(), decoder, schema, new InMemoryAlertSink(), new InMemoryDeadLetterSink(),
            PipelineFixture.Registry(decoder, schema, payloads), system: Sys);
        var source = new ListSource(payloads, chunkSize: 50, stayOpen: true);
        var run = pipeline.RunAsync(source);
        await Poll.UntilAsync(() => source.AcknowledgedOffset == payloads.Count - 1, "every record read acknowledged", Bound, run);
        Watch(pipeline.Supervisor);

        await pipeline.StopAsync().WaitAsync(Bound);
        await run.WaitAsync(Bound);

        Assert.Equal(0, pipeline.Offsets.InFlight);
        ExpectTerminated(pipeline.Supervisor, Bound);
        await pipeline.DisposeAsync();
        Assert.False(Sys.WhenTerminated.IsCompleted, "the pipeline terminated a system it did not create");
    }
}
