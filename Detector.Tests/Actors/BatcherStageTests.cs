using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Detector.Streams.Pipeline;
using Detector.Streams.Records;
using Xunit;

namespace Detector.Tests.Actors;

/// <summary>The micro-batching stage, driven with Akka.Streams.TestKit probes.</summary>
public sealed class BatcherStageTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private (TestPublisher.Probe<DecodedChunk> Upstream, TestSubscriber.Probe<RecordBatch> Downstream, List<byte[]> Payloads, Func<int, int, DecodedChunk> Chunk)
        Start(int maxRows, TimeSpan maxWait)
    {
        var (decoder, schema, payloads) = PipelineFixture.Cards(1_000);
        var (upstream, downstream) = this.SourceProbe<DecodedChunk>()
            .Via(new BatcherStage(new RecordBatchPool(maxRows, schema.Count), maxWait))
            .ToMaterialized(this.SinkProbe<RecordBatch>(), Keep.Both)
            .Run(Sys.Materializer());
        DecodedChunk Chunk(int from, int count) => DecodedChunk.Decode(Enumerable.Range(from, count)
            .Select(k => new RawRecord(payloads[k], new SourcePosition(0, k), DateTimeOffset.UtcNow)).ToArray(), decoder);
        return (upstream, downstream, payloads, Chunk);
    }

    [Fact]
    public void Batcher_ChunksAcrossBatchBoundaries_EmitsFullBatchesInSourceOrderAndTheRestAtTheEnd()
    {
        var (upstream, downstream, _, chunk) = Start(maxRows: 100, maxWait: TimeSpan.FromMinutes(10));
        downstream.Request(10);
        upstream.SendNext(chunk(0, 250));

        var first = downstream.ExpectNext(Bound);
        var second = downstream.ExpectNext(Bound);
        Assert.Equal((100, 0L, 99L), (first.Count, first.Positions[0].Offset, first.Positions[99].Offset));
        Assert.Equal((100, 100L, 199L), (second.Count, second.Positions[0].Offset, second.Positions[99].Offset));
        // The 50 rows left stay in the open batch: neither full nor past the max wait.
        downstream.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        upstream.SendNext(chunk(250, 100));
        var third = downstream.ExpectNext(Bound);
        Assert.Equal((100, 200L, 299L), (third.Count, third.Positions[0].Offset, third.Positions[99].Offset));
        upstream.SendComplete();
        var last = downstream.ExpectNext(Bound);
        Assert.Equal((50, 300L, 349L), (last.Count, last.Positions[0].Offset, last.Positions[49].Offset));
        downstream.ExpectComplete();
    }

    [Fact]
    public void Batcher_FewRowsAndNoMore_SealsTheBatchAtMaxWait()
    {
        var (upstream, downstream, _, chunk) = Start(maxRows: 100, maxWait: TimeSpan.FromMilliseconds(50));
        downstream.Request(1);
        upstream.ExpectRequest();
        upstream.SendNext(chunk(0, 30));

        var batch = downstream.ExpectNext(Bound);

        Assert.Equal(30, batch.Count);
        upstream.SendComplete();
        downstream.ExpectComplete();
    }
}
