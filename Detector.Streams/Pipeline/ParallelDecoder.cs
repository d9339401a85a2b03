using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Detector.Streams.Decoding;
using Detector.Streams.Records;

namespace Detector.Streams.Pipeline;

/// <summary>
/// The decode stage between a source and the batcher: decodes up to <c>workers</c> chunks at once on the thread pool
/// and hands them on in source order, each as soon as it and every chunk before it are done. Decoding is most of a
/// record's cost in the pipeline, and the batcher is one actor: this keeps it from being the bottleneck. A decoder
/// that is not thread-safe gets one worker: its chunks are decoded one after another, in order.
/// </summary>
internal static class ParallelDecoder
{
    /// <summary>
    /// Reads <paramref name="chunks"/> to the end, decoding them in parallel, and calls <paramref name="forward"/> with
    /// each decoded chunk in the order read. Completes when every chunk was forwarded; a failure in either direction
    /// stops both.
    /// </summary>
    public static async Task PumpAsync(IAsyncEnumerable<IReadOnlyList<RawRecord>> chunks, IRecordDecoder decoder, int workers,
        Func<DecodedChunk, CancellationToken, ValueTask> forward, CancellationToken cancellationToken)
    {
        workers = decoder.IsThreadSafe ? Math.Max(1, workers) : 1;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(workers, workers);
        // Decodes under way or done, in source order; its bound keeps the reader at most one chunk past the workers.
        var ordered = Channel.CreateBounded<Task<DecodedChunk>>(new BoundedChannelOptions(workers) { SingleReader = true, SingleWriter = true });
        var forwarding = ForwardAsync(ordered.Reader, forward, stop);
        ExceptionDispatchInfo? readFailure = null;
        try
        {
            await foreach (var chunk in chunks.WithCancellation(stop.Token).ConfigureAwait(false))
            {
                await slots.WaitAsync(stop.Token).ConfigureAwait(false);
                var decoding = Task.Run(() =>
                {
                    try
                    {
                        return DecodedChunk.Decode(chunk, decoder);
                    }
                    finally
                    {
                        slots.Release();
                    }
                }, CancellationToken.None);
                await ordered.Writer.WriteAsync(decoding, stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            readFailure = ExceptionDispatchInfo.Capture(e);
            await stop.CancelAsync().ConfigureAwait(false);
        }
        ordered.Writer.TryComplete();
        try
        {
            await forwarding.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (readFailure is not null)
        {
            // Stopped because reading failed: that failure is the one to report.
        }
        readFailure?.Throw();
    }

    private static async Task ForwardAsync(ChannelReader<Task<DecodedChunk>> ordered, Func<DecodedChunk, CancellationToken, ValueTask> forward,
        CancellationTokenSource stop)
    {
        await Task.Yield();
        try
        {
            await foreach (var decoding in ordered.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await forward(await decoding.ConfigureAwait(false), stop.Token).ConfigureAwait(false);
            }
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false); // the reader stops too
            throw;
        }
    }
}
