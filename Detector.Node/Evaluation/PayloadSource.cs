using System.Runtime.CompilerServices;
using Detector.Streams.Records;
using Detector.Streams.Sources;

namespace Detector.Node.Evaluation;

/// <summary>
/// Replays records held in memory as one partition, offset = index, in chunks, as fast as the pipeline takes them
/// (backpressure paces it). The evaluation's source: the file is already read, so labels never travel with records.
/// </summary>
internal sealed class PayloadSource(IReadOnlyList<byte[]> payloads, int chunkSize = 256) : IRecordSource
{
    private long _acknowledged = -1;

    /// <summary>The last acknowledged offset (−1 before any).</summary>
    public long AcknowledgedOffset => Interlocked.Read(ref _acknowledged);

    /// <inheritdoc />
    public async IAsyncEnumerable<IReadOnlyList<RawRecord>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        for (var start = 0; start < payloads.Count; start += chunkSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = Math.Min(chunkSize, payloads.Count - start);
            var chunk = new RawRecord[n];
            for (var i = 0; i < n; i++)
            {
                chunk[i] = new RawRecord(payloads[start + i], new SourcePosition(0, start + i), now);
            }
            yield return chunk;
            await Task.Yield();
        }
    }

    /// <inheritdoc />
    public void Acknowledge(SourcePosition position)
    {
        long seen;
        while ((seen = Interlocked.Read(ref _acknowledged)) < position.Offset && Interlocked.CompareExchange(ref _acknowledged, position.Offset, seen) != seen)
        {
        }
    }
}
