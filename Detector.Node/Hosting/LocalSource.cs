using System.Runtime.CompilerServices;
using Detector.Streams.Records;
using Detector.Streams.Sources;

namespace Detector.Node.Hosting;

/// <summary>
/// A single-partition source of this machine (file or generator) with the status a node reports: assigned once
/// reading, and as lag the offsets read and not yet acknowledged.
/// </summary>
public sealed class LocalSource(IRecordSource inner, string topic) : IRecordSource, ISourceStatus
{
    private long _read = -1;
    private long _acknowledged = -1;
    private int _assigned;

    /// <inheritdoc />
    public bool IsAssigned => Volatile.Read(ref _assigned) != 0;

    /// <inheritdoc />
    public IReadOnlyList<PartitionStatus> Partitions
    {
        get
        {
            var acknowledged = Interlocked.Read(ref _acknowledged);
            return IsAssigned ? [new PartitionStatus(topic, 0, acknowledged + 1, Math.Max(0, Interlocked.Read(ref _read) - acknowledged))] : [];
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<IReadOnlyList<RawRecord>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Volatile.Write(ref _assigned, 1);
        await foreach (var chunk in inner.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (chunk.Count > 0)
            {
                Interlocked.Exchange(ref _read, chunk[^1].Position.Offset);
            }
            yield return chunk;
        }
    }

    /// <inheritdoc />
    public void Acknowledge(SourcePosition position)
    {
        inner.Acknowledge(position);
        long seen;
        while ((seen = Interlocked.Read(ref _acknowledged)) < position.Offset
            && Interlocked.CompareExchange(ref _acknowledged, position.Offset, seen) != seen)
        {
        }
    }
}
