using System.Runtime.CompilerServices;
using Detector.Streams.Common;
using Detector.Streams.Records;

namespace Detector.Streams.Sources;

/// <summary>
/// Replays a table of feature rows (cycling through it) as a stream of <paramref name="count"/> records on one
/// partition, optionally paced to a rate: for benchmarks and simulations. Entity keys and ids come from the table
/// (ids are the table row, so they repeat when the table cycles).
/// </summary>
public sealed class RowReplaySource(float[] rows, int features, IReadOnlyList<string> entities, long count,
    TimeProvider? time = null, double recordsPerSecond = 0) : IBatchSource
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly string[] _ids = Enumerable.Range(0, rows.Length / features).Select(i => $"row-{i}").ToArray();
    private readonly DateTimeOffset _epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _acknowledged = -1;

    /// <summary>The last acknowledged offset (−1 before any).</summary>
    public long AcknowledgedOffset => Interlocked.Read(ref _acknowledged);

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordBatch> ReadAsync(RecordBatchPool pool, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var tableRows = rows.Length / features;
        var start = _time.GetTimestamp();
        for (long offset = 0; offset < count;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (recordsPerSecond > 0)
            {
                var due = TimeSpan.FromSeconds(offset / recordsPerSecond) - _time.GetElapsedTime(start);
                if (due > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(due, _time, cancellationToken).ConfigureAwait(false);
                }
            }
            var batch = pool.Rent();
            var now = _time.GetUtcNow().UtcTicks;
            while (!batch.IsFull && offset < count)
            {
                var r = (int)(offset % tableRows);
                rows.AsSpan(r * features, features).CopyTo(batch.NextRow());
                var info = new RecordInfo(_ids[r], entities[r % entities.Count], _epoch.AddMilliseconds(offset), null);
                batch.Commit(info, new SourcePosition(0, offset), ReadOnlyMemory<byte>.Empty, now);
                offset++;
            }
            yield return batch;
        }
    }

    /// <inheritdoc />
    public void Acknowledge(SourcePosition position) => AtomicMax.Update(ref _acknowledged, position.Offset);
}
