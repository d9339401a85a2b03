using Confluent.Kafka;
using Detector.Streams.Common;

namespace Detector.Streams.Kafka;

/// <summary>
/// One assignment of one Kafka partition to this node. Each assignment gets a fresh lane id, used as the pipeline's
/// partition number, so records still in flight from an earlier assignment (a lost partition, a rebalance that
/// timed out) can never be confused with the current one: their acknowledgements land on a dead lane and are ignored.
/// </summary>
internal sealed class KafkaLane(int id, TopicPartition partition)
{
    /// <summary>The pipeline's partition number for this assignment.</summary>
    public int Id { get; } = id;

    /// <summary>The Kafka partition.</summary>
    public TopicPartition Partition { get; } = partition;

    /// <summary>The first offset read in this assignment.</summary>
    public long FirstOffset { get; private set; }

    /// <summary>Highest offset handed to the pipeline (−1 before any); written by the consume thread only.</summary>
    public long LastRead = -1;

    /// <summary>Highest offset whose records, and all before it, are handled (−1 before any); raised by acknowledgements.</summary>
    public long Acknowledged = -1;

    /// <summary>The next offset committed to the group (−1 before any commit of this lane).</summary>
    public long Committed = -1;

    /// <summary>The partition's high watermark when last looked at (−1 unknown).</summary>
    public long HighWatermark = -1;

    /// <summary>False once revoked or lost: acknowledgements are ignored and nothing is committed.</summary>
    public volatile bool Live = true;

    /// <summary>Records read and not yet acknowledged (offsets may have gaps, so this is an upper bound).</summary>
    public long InFlight => Math.Max(0, Volatile.Read(ref LastRead) - Volatile.Read(ref Acknowledged));

    /// <summary>Records in the partition beyond what is acknowledged.</summary>
    public long Lag => HighWatermark < 0 ? 0 : Math.Max(0, HighWatermark - (Volatile.Read(ref Acknowledged) + 1));

    /// <summary>Marks the first offset read: everything before it counts as handled and committed.</summary>
    public void Start(long firstOffset)
    {
        FirstOffset = firstOffset;
        AtomicMax.Update(ref Acknowledged, firstOffset - 1);
        Committed = Math.Max(Committed, firstOffset);
    }

    /// <summary>
    /// Where the group left the partition, known at assignment: next is the group's committed offset (everything
    /// before it is handled), end the partition's high watermark. No record has been read yet, so nothing moves
    /// <see cref="FirstOffset"/> or makes this lane commit.
    /// </summary>
    public void Resume(long next, long end)
    {
        if (next >= 0)
        {
            AtomicMax.Update(ref Acknowledged, next - 1);
            Committed = Math.Max(Committed, next);
        }
        if (end >= 0)
        {
            HighWatermark = end;
        }
    }

    /// <summary>Raises the acknowledged offset (acknowledgements may arrive out of order).</summary>
    public bool Acknowledge(long offset) => AtomicMax.Update(ref Acknowledged, offset);
}
