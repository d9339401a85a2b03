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
    public void Batcher_ChunkOfTwoAndAHalfBatches_EmitsFullBatchesInOrderAndPullsAgainOnlyWhenTheyAreTaken()
    {
        var (upstream, downstream, _, chunk) = Start(maxRows: 100, maxWait: TimeSpan.FromMinutes(10));
        downstream.Request(1);
        upstream.ExpectRequest();
        upstream.SendNext(chunk(0, 250));

        var first = downstream.ExpectNext(Bound);
        Assert.Equal(100, first.Count);
        Assert.Equal(0, first.Positions[0].Offset);
        // Sealed batches are still waiting: the stage must not ask for another chunk yet.
        upstream.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        downstream.Request(1);
        var second = downstream.ExpectNext(Bound);
        Assert.Equal(100, second.Positions[0].Offset);
        downstream.Request(1);
        upstream.ExpectRequest(); // the open batch of 50 waits for more rows
        upstream.SendComplete();
        var last = downstream.ExpectNext(Bound);
        Assert.Equal(50, last.Count);
        Assert.Equal(249, last.Positions[49].Offset);
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
