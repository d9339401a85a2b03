using System.Collections.Concurrent;
using Detector.Streams.Kafka;
using Detector.Streams.Records;

namespace Detector.Tests.Kafka;

/// <summary>
/// A stand-in pipeline reading a Kafka source on its own task: it acknowledges each record, or holds them all until
/// released, and records what it saw (the first offset of each partition, the assignment changes). Disposing stops the
/// reading and disposes the source (which commits what its live lanes acknowledged).
/// </summary>
internal sealed class SourceReader : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<RawRecord> _held = new();
    private volatile bool _hold;
    private int _changes;
    private int _disposed;

    public SourceReader(KafkaRecordSource source, bool hold)
    {
        Source = source;
        _hold = hold;
        source.AssignmentChanged += () => Interlocked.Increment(ref _changes);
        Run = Task.Run(ReadAsync);
    }

    public KafkaRecordSource Source { get; }

    /// <summary>The reading loop (ends only when stopped).</summary>
    public Task Run { get; }

    /// <summary>The first offset read from each Kafka partition.</summary>
    public ConcurrentDictionary<int, long> FirstOffsets { get; } = new();

    /// <summary>The records held so far.</summary>
    public IEnumerable<RawRecord> Held => _held;

    /// <summary>Assignment changes seen so far.</summary>
    public int Changes => Volatile.Read(ref _changes);

    /// <summary>The partitions assigned now, in order.</summary>
    public int[] Partitions => [.. Source.Partitions.Select(p => p.Partition).Order()];

    /// <summary>Acknowledges everything held, and everything read from now on.</summary>
    public void Release()
    {
        _hold = false;
        while (_held.TryDequeue(out var record))
        {
            Source.Acknowledge(record.Position);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync();
        await Run.WaitAsync(Patience);
        await Source.DisposeAsync();
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var chunk in Source.ReadAsync(_stop.Token))
            {
                foreach (var record in chunk)
                {
                    if (Source.PartitionOf(record.Position.Partition) is { } partition)
                    {
                        FirstOffsets.TryAdd(partition.Partition.Value, record.Position.Offset);
                    }
                    if (_hold)
                    {
                        _held.Enqueue(record);
                    }
                    else
                    {
                        Source.Acknowledge(record.Position);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // stopped while waiting for records
        }
    }
}
