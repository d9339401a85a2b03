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
            var i = 0;
            while (i < positions.Length)
            {
                // One run per maximal stretch of consecutive offsets of one partition.
                var first = positions[i];
                var length = 1;
                while (i + length < positions.Length && positions[i + length].Partition == first.Partition
                    && positions[i + length].Offset == first.Offset + length)
                {
                    length++;
                }
                if (!_partitions.TryGetValue(first.Partition, out var p))
                {
                    p = new PartitionState();
                    _partitions.Add(first.Partition, p);
                }
                if (first.Offset <= p.LastRegistered)
                {
                    throw new InvalidOperationException(
                        $"partition {first.Partition}: offset {first.Offset} registered after {p.LastRegistered}; registration must follow source order");
                }
                p.LastRegistered = first.Offset + length - 1;
                p.Runs.Add(new Run(first.Offset, length));
                i += length;
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
                if (!_partitions.TryGetValue(position.Partition, out var p) || p.Find(position.Offset) is not { } run || !run.MarkDone(position.Offset))
                {
                    throw new InvalidOperationException($"partition {position.Partition}: offset {position.Offset} completed twice or never registered");
                }
            }
            var last = int.MinValue;
            foreach (var position in positions)
            {
                // Batches are almost always one partition: advance each partition once per run of equal partitions.
                if (position.Partition == last)
                {
                    continue;
                }
                last = position.Partition;
                var p = _partitions[position.Partition];
                if (p.Advance())
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
            for (var r = p.Head; r < p.Runs.Count; r++)
            {
                pending += p.Runs[r].Remaining;
                Debug.Assert(r == p.Head || p.Runs[r].First > p.Runs[r - 1].First, "runs are out of offset order");
            }
            Debug.Assert(p.Head == p.Runs.Count || p.Runs[p.Head].First + p.Runs[p.Head].Prefix > p.Acknowledged,
                "the acknowledged offset passed a pending record");
        }
        Debug.Assert(pending == _inFlight, "the in-flight count disagrees with the pending records");
    }

    /// <summary>One partition's bookkeeping: registered runs of consecutive offsets, oldest first.</summary>
    private sealed class PartitionState
    {
        /// <summary>Runs from <see cref="Head"/> on are not yet fully acknowledged; earlier ones are compacted away.</summary>
        public List<Run> Runs { get; } = [];

        public int Head { get; private set; }

        public long LastRegistered { get; set; } = -1;

        public long Acknowledged { get; private set; } = -1;

        /// <summary>The run holding offset, by binary search over the live runs.</summary>
        public Run? Find(long offset)
        {
            int lo = Head, hi = Runs.Count - 1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >>> 1;
                var run = Runs[mid];
                if (offset < run.First)
                {
                    hi = mid - 1;
                }
                else if (offset >= run.First + run.Length)
                {
                    lo = mid + 1;
                }
                else
                {
                    return run;
                }
            }
            return null;
        }

        /// <summary>Moves the acknowledged offset over the completed prefix; returns whether it moved.</summary>
        public bool Advance()
        {
            var before = Acknowledged;
            while (Head < Runs.Count)
            {
                var run = Runs[Head];
                run.AdvancePrefix();
                if (run.Prefix > 0)
                {
                    Acknowledged = run.First + run.Prefix - 1;
                }
                if (run.Prefix < run.Length)
                {
                    break;
                }
                Head++;
            }
            if (Head > 64 && Head * 2 > Runs.Count)
            {
                Runs.RemoveRange(0, Head);
                Head = 0;
            }
            return Acknowledged != before;
        }
    }

    /// <summary>Consecutive offsets registered together, with a done bit each.</summary>
    private sealed class Run(long first, int length)
    {
        private readonly ulong[] _done = new ulong[(length + 63) >> 6];

        public long First { get; } = first;

        public int Length { get; } = length;

        /// <summary>Records not yet complete.</summary>
        public int Remaining { get; private set; } = length;

        /// <summary>Leading records known complete.</summary>
        public int Prefix { get; private set; }

        /// <summary>Sets the offset's done bit; false when it was already set.</summary>
        public bool MarkDone(long offset)
        {
            var i = (int)(offset - First);
            var bit = 1UL << (i & 63);
            if ((_done[i >> 6] & bit) != 0)
            {
                return false;
            }
            _done[i >> 6] |= bit;
            Remaining--;
            return true;
        }

        public void AdvancePrefix()
        {
            while (Prefix < Length && (_done[Prefix >> 6] & (1UL << (Prefix & 63))) != 0)
            {
                Prefix++;
            }
        }
    }
}
