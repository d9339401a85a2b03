using System.Diagnostics;
using Akka;
using Akka.Streams.Dsl;
using Detector.Streams.Decoding;
using Detector.Streams.Records;

namespace Detector.Streams.Pipeline;

/// <summary>
/// The decode stage between a source and the batcher: decodes up to <c>workers</c> chunks at once on the thread pool
/// and hands them on in source order (an ordered <c>SelectAsync</c>), each as soon as it and every chunk before it are
/// done. Decoding is most of a record's cost in the pipeline: this keeps the one batching stage from being the
/// bottleneck. A decoder that is not thread-safe gets one worker: its chunks are decoded one after another, in order.
/// </summary>
internal static class DecodeFlow
{
    /// <summary>The flow; the time spent decoding each chunk is added to <paramref name="timing"/> when given.</summary>
    public static Flow<IReadOnlyList<RawRecord>, DecodedChunk, NotUsed> Create(IRecordDecoder decoder, int workers, StageTiming? timing = null)
    {
        workers = decoder.IsThreadSafe ? Math.Max(1, workers) : 1;
        return Flow.Create<IReadOnlyList<RawRecord>>().SelectAsync(workers, chunk => Task.Run(() =>
        {
            var start = Stopwatch.GetTimestamp();
            var decoded = DecodedChunk.Decode(chunk, decoder);
            timing?.Add(Stopwatch.GetElapsedTime(start));
            return decoded;
        }));
    }
}
