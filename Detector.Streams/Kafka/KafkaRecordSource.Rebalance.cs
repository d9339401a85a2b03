using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Kafka;

/// <summary>Rebalance callbacks (run on the consume thread, inside <c>Consume</c>) and logging.</summary>
public sealed partial class KafkaRecordSource
{
    /// <summary>New lanes for the assigned partitions; returns where each starts (ExactlyOnce: the offsets topic's).</summary>
    private List<TopicPartitionOffset> OnAssigned(List<TopicPartition> partitions)
    {
        var added = new List<KafkaLane>(partitions.Count);
        lock (_lanes)
        {
            foreach (var partition in partitions)
            {
                var lane = new KafkaLane(_nextLane++, partition);
                _lanes.Add(lane.Id, lane);
                _laneOrigins[lane.Id] = partition;
                _assigned[partition] = lane;
                _byPartition[partition.Partition.Value] = lane;
                added.Add(lane);
            }
        }
        var starts = ExactlyOnce ? OpenTransactions(added) : null;
        LearnPositions(added, starts);
        LogAssigned(string.Join(",", partitions.Select(p => p.Partition.Value)));
        if (_paused)
        {
            // A new assignment starts fetching; keep the node's backpressure in force.
            _consumer.Pause(partitions);
        }
        RefreshStatus();
        AssignmentChanged?.Invoke();
        return [.. added.Select(l => new TopicPartitionOffset(l.Partition,
            starts is not null && starts.TryGetValue(l, out var start) && start >= 0 ? new Offset(start) : Offset.Unset))];
    }

    /// <summary>
    /// Starts new lanes at the group's committed offset (or the partition's first offset when the group has none) and
    /// the partition's end, asked of the brokers now: a lane otherwise learns where it stands only from its first
    /// record, and a partition taken over on a quiet topic reported committed offset 0 and the whole partition as lag
    /// until new records arrived. Bounded by <see cref="AssignQueryTimeout"/>; on failure the lane learns from its first
    /// record as before (and the reason is logged).
    /// </summary>
    private void LearnPositions(List<KafkaLane> lanes, Dictionary<KafkaLane, long>? starts)
    {
        if (lanes.Count == 0)
        {
            return;
        }
        var started = _time.GetTimestamp();
        try
        {
            var committed = _consumer.Committed(lanes.Select(l => l.Partition), AssignQueryTimeout)
                .ToDictionary(c => c.TopicPartition, c => c.Offset.Value);
            foreach (var lane in lanes)
            {
                var left = AssignQueryTimeout - _time.GetElapsedTime(started);
                var marks = _consumer.QueryWatermarkOffsets(lane.Partition, left > TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
                var next = starts is not null && starts.TryGetValue(lane, out var start) && start >= 0 ? start : committed.GetValueOrDefault(lane.Partition, -1);
                lane.Resume(next >= 0 ? next : marks.Low.Value, marks.High.Value);
            }
        }
        catch (KafkaException e)
        {
            LogPositionUnknown(string.Join(",", lanes.Select(l => l.Partition.Partition.Value)), e.Error.Reason);
        }
    }

    /// <summary>How long an assignment may wait for the group's committed offsets and the partitions' ends.</summary>
    private static readonly TimeSpan AssignQueryTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Drains the revoked partitions' in-flight records, commits them, then lets the partitions go.</summary>
    private void OnRevoked(List<TopicPartitionOffset> partitions)
    {
        var lanes = partitions.Select(p => _assigned.GetValueOrDefault(p.TopicPartition)).OfType<KafkaLane>().ToList();
        Flush(); // what was read must reach the pipeline before we can wait for it
        DrainStarted?.Invoke(lanes.Sum(l => l.InFlight));
        var deadline = _time.GetTimestamp();
        // Once the pipeline has stopped reading (a close after the drain), no acknowledgement is coming: commit and go.
        while (!_readerDone && lanes.Any(l => l.InFlight > 0))
        {
            var left = _options.RevokeDrainTimeout - _time.GetElapsedTime(deadline);
            if (left <= TimeSpan.Zero)
            {
                LogDrainTimedOut(lanes.Sum(l => l.InFlight));
                break;
            }
            _acknowledged.Reset();
            if (lanes.Any(l => l.InFlight > 0))
            {
                _acknowledged.Wait(left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
            }
        }
        var committed = ExactlyOnce ? CommitTransactions(lanes) : Commit(lanes);
        if (ExactlyOnce)
        {
            // An aborted commit gave its partition a fresh lane: let go of whichever lane holds it now.
            lanes = [.. partitions.Select(p => _assigned.GetValueOrDefault(p.TopicPartition)).OfType<KafkaLane>()];
            CloseTransactions(lanes);
        }
        Release(lanes);
        var revoked = string.Join(",", partitions.Select(p => p.Partition.Value));
        if (committed)
        {
            LogRevoked(revoked);
        }
        else
        {
            // A broker may refuse commits while the group rebalances (librdkafka's mock answers REBALANCE_IN_PROGRESS;
            // Kafka itself accepts them until the rebalance completes): the new owner reads again from the last commit.
            LogRevokedUncommitted(revoked);
        }
    }

    /// <summary>Partitions taken away without a revoke (session lost): commit nothing, forget them.</summary>
    private void OnLost(List<TopicPartitionOffset> partitions)
    {
        Flush();
        var lanes = partitions.Select(p => _assigned.GetValueOrDefault(p.TopicPartition)).OfType<KafkaLane>().ToList();
        CloseTransactions(lanes);
        Release(lanes);
        LogLost(string.Join(",", partitions.Select(p => p.Partition.Value)));
    }

    private void Release(List<KafkaLane> lanes)
    {
        lock (_lanes)
        {
            foreach (var lane in lanes)
            {
                lane.Live = false;
                _assigned.Remove(lane.Partition);
                _byPartition.Remove(lane.Partition.Partition.Value);
                _lanes.Remove(lane.Id);
            }
        }
        RefreshStatus();
        AssignmentChanged?.Invoke();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "kafka: assigned partitions [{Partitions}]")]
    private partial void LogAssigned(string partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "kafka: committed offsets of assigned partitions [{Partitions}] unknown ({Reason}); their status counts from the first record read")]
    private partial void LogPositionUnknown(string partitions, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "kafka: revoked partitions [{Partitions}] after draining and committing")]
    private partial void LogRevoked(string partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "kafka: revoked partitions [{Partitions}] after draining; their commit failed, so the new owner reads again from the last committed offsets")]
    private partial void LogRevokedUncommitted(string partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "kafka: lost partitions [{Partitions}]; their in-flight records will be read again by the new owner")]
    private partial void LogLost(string partitions);

    [LoggerMessage(Level = LogLevel.Error, Message = "kafka: partition {Partition} skipped offsets {First}-{Last}: the broker no longer had them (retention ran ahead of this consumer)")]
    private partial void LogSkipped(int partition, long first, long last);

    [LoggerMessage(Level = LogLevel.Warning, Message = "kafka: revoke drain timed out with {Records} records in flight; they will be read again by the new owner")]
    private partial void LogDrainTimedOut(long records);

    [LoggerMessage(Level = LogLevel.Warning, Message = "kafka: commit of {Partitions} partitions failed ({Reason}); retrying next interval")]
    private partial void LogCommitFailed(int partitions, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "kafka: consumer failed")]
    private partial void LogConsumerFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "kafka client error {Code}: {Reason}")]
    private partial void LogClientError(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "librdkafka {Level} {Facility}: {Message}")]
    private partial void LogClient(string level, string facility, string message);
}
