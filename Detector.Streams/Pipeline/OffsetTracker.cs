using System.Diagnostics;
using Detector.Streams.Records;

namespace Detector.Streams.Pipeline;

/// <summary>
/// Acknowledges a partition up to an offset only when every record registered at or before it is complete (scored and
/// its alert accepted, or dead-lettered and kept). Records complete in any order; the acknowledged position only
/// moves forward over a contiguous prefix of completed records, which is what makes delivery at-least-once.
/// Registration must follow source order within a partition.
/// </summary>
public sealed class OffsetTracker
{
    /// <summary>Guards all partition state; held only for bookkeeping, never while calling out.</summary>
    private readonly Lock _lock = new();

    /// <summary>Per partition: registered, not yet acknowledged offsets in order, with their completion flag.</summary>
    private readonly Dictionary<int, PartitionState> _partitions = [];

    /// <summary>Records registered and not yet complete, over all partitions.</summary>
    private long _inFlight;

    /// <summary>Completed when <see cref="_inFlight"/> next reaches zero.</summary>
    private TaskCompletionSource _idle = NewIdle();

    /// <summary>
    /// Called, outside any lock, with a partition's new acknowledged offset (the last completed one). Calls from
    /// concurrent completions may arrive out of order: a handler keeps the largest offset it has seen.
    /// </summary>
    public event Action<SourcePosition>? Acknowledged;

    /// <summary>Records registered and not yet complete.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>The most records ever in flight at once (how far the source ran ahead of acknowledgement).</summary>
    public long MaxInFlight => Interlocked.Read(ref _maxInFlight);

    /// <summary>High-water mark of <see cref="_inFlight"/>.</summary>
    private long _maxInFlight;

    /// <summary>The last acknowledged offset of a partition, or −1 when none.</summary>
    public long AcknowledgedOffset(int partition)
    {
        lock (_lock)
        {
            return _partitions.TryGetValue(partition, out var p) ? p.Acknowledged : -1;
        }
    }

    /// <summary>Registers records as in flight, in source order per partition.</summary>
    public void Register(ReadOnlySpan<SourcePosition> positions)
    {
        lock (_lock)
        {
            foreach (var position in positions)
            {
                if (!_partitions.TryGetValue(position.Partition, out var p))
                {
                    p = new PartitionState();
                    _partitions.Add(position.Partition, p);
                }
                if (position.Offset <= p.LastRegistered)
                {
                    throw new InvalidOperationException(
                        $"partition {position.Partition}: offset {position.Offset} registered after {p.LastRegistered}; registration must follow source order");
                }
                p.LastRegistered = position.Offset;
                p.Pending.Enqueue(position.Offset);
            }
            if (_inFlight == 0 && positions.Length > 0)
            {
                _idle = NewIdle();
            }
            _inFlight += positions.Length;
            _maxInFlight = Math.Max(_maxInFlight, _inFlight);
            AssertInvariants();
        }
    }

    /// <summary>Marks records complete; acknowledges whatever contiguous prefix that finishes.</summary>
    public void Complete(ReadOnlySpan<SourcePosition> positions)
    {
        List<SourcePosition>? acknowledged = null;
        TaskCompletionSource? idle = null;
        lock (_lock)
        {
            foreach (var position in positions)
            {
                if (!_partitions.TryGetValue(position.Partition, out var p) || !p.Done.Add(position.Offset))
                {
                    throw new InvalidOperationException($"partition {position.Partition}: offset {position.Offset} completed twice or never registered");
                }
            }
            foreach (var position in positions)
            {
                var p = _partitions[position.Partition];
                var moved = false;
                while (p.Pending.TryPeek(out var head) && p.Done.Remove(head))
                {
                    p.Pending.Dequeue();
                    p.Acknowledged = head;
                    moved = true;
                }
                if (moved)
                {
                    acknowledged ??= [];
                    acknowledged.RemoveAll(a => a.Partition == position.Partition);
                    acknowledged.Add(new SourcePosition(position.Partition, p.Acknowledged));
                }
            }
            _inFlight -= positions.Length;
            if (_inFlight == 0)
            {
                idle = _idle;
            }
            AssertInvariants();
        }
        if (acknowledged is not null)
        {
            foreach (var a in acknowledged)
            {
                Acknowledged?.Invoke(a);
            }
        }
        idle?.TrySetResult();
    }

    /// <summary>Completes when nothing is in flight (immediately if nothing is).</summary>
    public Task WhenIdleAsync()
    {
        lock (_lock)
        {
            return _inFlight == 0 ? Task.CompletedTask : _idle.Task;
        }
    }

    private static TaskCompletionSource NewIdle() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        long pending = 0;
        foreach (var p in _partitions.Values)
        {
            pending += p.Pending.Count - p.Done.Count;
            Debug.Assert(p.Done.Count <= p.Pending.Count, "more offsets are marked done than are pending");
            Debug.Assert(!p.Pending.TryPeek(out var head) || head > p.Acknowledged, "the acknowledged offset passed a pending record");
        }
        Debug.Assert(pending == _inFlight, "the in-flight count disagrees with the pending records");
    }

    /// <summary>One partition's bookkeeping.</summary>
    private sealed class PartitionState
    {
        public Queue<long> Pending { get; } = new();

        public HashSet<long> Done { get; } = [];

        public long LastRegistered { get; set; } = -1;

        public long Acknowledged { get; set; } = -1;
    }
}
