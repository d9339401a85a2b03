using System.Runtime.CompilerServices;
using Detector.Streams.Common;
using Detector.Streams.Records;
using Detector.Streams.Sources;

namespace Detector.Tests.Pipeline;

/// <summary>
/// A source over payloads held in memory, in chunks, on one partition; records what was acknowledged. With stayOpen it
/// then waits for more (as a Kafka topic does) until cancelled, instead of ending the stream.
/// </summary>
internal sealed class ListSource(IReadOnlyList<byte[]> payloads, int chunkSize = 100, bool stayOpen = false) : IRecordSource
{
    private long _acknowledged = -1;

    public long AcknowledgedOffset => Interlocked.Read(ref _acknowledged);

    public async IAsyncEnumerable<IReadOnlyList<RawRecord>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var i = 0; i < payloads.Count; i += chunkSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Enumerable.Range(i, Math.Min(chunkSize, payloads.Count - i))
                .Select(k => new RawRecord(payloads[k], new SourcePosition(0, k), DateTimeOffset.UtcNow)).ToArray();
            await Task.Yield();
        }
        if (stayOpen)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    public void Acknowledge(SourcePosition position) => AtomicMax.Update(ref _acknowledged, position.Offset);
}
