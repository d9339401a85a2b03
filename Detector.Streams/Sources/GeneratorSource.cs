using System.Runtime.CompilerServices;
using Detector.Streams.Common;
using Detector.Streams.Generators;
using Detector.Streams.Records;

namespace Detector.Streams.Sources;

/// <summary>
/// A synthetic source: a generator's records on one partition, optionally paced to a rate. Keeps the acknowledged
/// offset so callers can see progress.
/// </summary>
public sealed class GeneratorSource(IRecordGenerator generator, long count, TimeProvider? time = null, double recordsPerSecond = 0, int chunkSize = 256)
    : IRecordSource
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _acknowledged = -1;

    /// <summary>The last acknowledged offset (−1 before any).</summary>
    public long AcknowledgedOffset => Interlocked.Read(ref _acknowledged);

    /// <inheritdoc />
    public async IAsyncEnumerable<IReadOnlyList<RawRecord>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        for (long offset = 0; offset < count;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = (int)Math.Min(chunkSize, count - offset);
            if (recordsPerSecond > 0)
            {
                var due = TimeSpan.FromSeconds(offset / recordsPerSecond) - _time.GetElapsedTime(start);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, _time, cancellationToken).ConfigureAwait(false);
                }
            }
            var chunk = new RawRecord[n];
            var now = _time.GetUtcNow();
            for (var i = 0; i < n; i++)
            {
                chunk[i] = new RawRecord(generator.Next().Payload, new SourcePosition(0, offset++), now);
            }
            yield return chunk;
        }
    }

    /// <inheritdoc />
    public void Acknowledge(SourcePosition position) => AtomicMax.Update(ref _acknowledged, position.Offset);
}
