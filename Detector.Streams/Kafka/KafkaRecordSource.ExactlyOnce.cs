using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Kafka;

/// <summary>
/// ExactlyOnce (<see cref="KafkaGuarantee.ExactlyOnce"/>): one <see cref="PartitionTransaction"/> per live lane. The
/// sinks write a record's alerts and dead letters into its partition's open transaction; each commit interval, the
/// consume thread stops handing records over, waits until every record handed over is acknowledged (so the open
/// transactions hold the writes of exactly the records up to each lane's acknowledged offset, no more), and commits
/// each lane's transaction with that offset. A transaction that cannot commit is aborted and its records are read
/// again from the last committed offset (a fresh lane); a fenced producer (another node owns the partition now) ends
/// the source with the reason, so the node exits instead of going on as a zombie.
/// </summary>
public sealed partial class KafkaRecordSource
{
    /// <summary>The open transaction of each live lane, by lane id; sinks look theirs up from any thread.</summary>
    private readonly ConcurrentDictionary<int, PartitionTransaction> _transactions = new();

    /// <summary>Set while the consume thread commits transactions (Flush may call back into Maintain).</summary>
    private bool _committingTransactions;
    private long _transactionsCommitted;
    private long _transactionsAborted;
    private long _transactionsFenced;

    /// <summary>Transactions committed (ExactlyOnce).</summary>
    public long TransactionsCommitted => Interlocked.Read(ref _transactionsCommitted);

    /// <summary>Transactions aborted; their records were read again (ExactlyOnce).</summary>
    public long TransactionsAborted => Interlocked.Read(ref _transactionsAborted);

    /// <summary>Commits refused because another producer took the partition's transactional id (ExactlyOnce).</summary>
    public long TransactionsFenced => Interlocked.Read(ref _transactionsFenced);

    private bool ExactlyOnce => _options.Guarantee == KafkaGuarantee.ExactlyOnce;

    /// <summary>The open transaction of a lane, while the lane is live (ExactlyOnce).</summary>
    internal PartitionTransaction? TransactionOf(int lane) => _transactions.GetValueOrDefault(lane);

    /// <summary>
    /// Opens the lanes' transactions (fencing the partitions' previous producers first) and reads where each starts from
    /// the offsets topic: after the fence nothing is open there, so the newest committed record is final.
    /// </summary>
    private Dictionary<KafkaLane, long> OpenTransactions(List<KafkaLane> lanes)
    {
        var starts = new Dictionary<KafkaLane, long>();
        foreach (var lane in lanes)
        {
            _transactions[lane.Id] = new PartitionTransaction(_options, lane.Partition, _clientId, _logger);
            starts[lane] = OffsetsLog.ReadNext(_options, lane.Partition.Partition.Value, _clientId);
        }
        return starts;
    }

    /// <summary>Closes the lanes' transactions without committing (their open writes are aborted).</summary>
    private void CloseTransactions(IEnumerable<KafkaLane> lanes)
    {
        foreach (var lane in lanes)
        {
            if (_transactions.TryRemove(lane.Id, out var transaction))
            {
                transaction.Dispose();
            }
        }
    }

    /// <summary>
    /// Commits the lanes' transactions once every record handed over is acknowledged (waiting up to wait); returns
    /// false when they did not settle (nothing committed, tried again next interval) or a commit was aborted.
    /// </summary>
    private bool CommitTransactions(IReadOnlyCollection<KafkaLane> lanes, TimeSpan wait)
    {
        if (_committingTransactions)
        {
            return false;
        }
        _committingTransactions = true;
        try
        {
            Flush();
            if (!WaitSettled(lanes, wait))
            {
                return false;
            }
            var group = _consumer.ConsumerGroupMetadata;
            var ok = true;
            foreach (var lane in lanes.ToList())
            {
                if (!_transactions.TryGetValue(lane.Id, out var transaction))
                {
                    continue;
                }
                var next = Volatile.Read(ref lane.Acknowledged) + 1;
                if (lane.LastRead < 0 || (next <= lane.Committed && !transaction.HasWrites))
                {
                    continue;
                }
                ok &= CommitOne(lane, transaction, next, group);
            }
            return ok;
        }
        finally
        {
            _committingTransactions = false;
        }
    }

    /// <summary>Waits until no lane has records in flight (or the pipeline stopped reading, or wait passed).</summary>
    private bool WaitSettled(IReadOnlyCollection<KafkaLane> lanes, TimeSpan wait)
    {
        var started = _time.GetTimestamp();
        while (lanes.Any(l => l.InFlight > 0))
        {
            var left = wait - _time.GetElapsedTime(started);
            if (_readerDone || left <= TimeSpan.Zero)
            {
                return false;
            }
            _acknowledged.Reset();
            if (lanes.Any(l => l.InFlight > 0))
            {
                _acknowledged.Wait(left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
            }
        }
        return true;
    }

    private bool CommitOne(KafkaLane lane, PartitionTransaction transaction, long next, IConsumerGroupMetadata group)
    {
        try
        {
            transaction.Commit(next, group);
            lane.Committed = next;
            Interlocked.Increment(ref _transactionsCommitted);
            return true;
        }
        catch (KafkaException e) when (IsFenced(e.Error))
        {
            Interlocked.Increment(ref _transactionsFenced);
            CloseTransactions([lane]);
            LogFenced(lane.Partition.Partition.Value, e.Error.Reason);
            throw new InvalidOperationException($"kafka: the transactional producer of partition {lane.Partition.Partition.Value} was fenced " +
                $"({e.Error.Reason}): another node owns it now; stopping instead of going on as a zombie", e);
        }
        catch (KafkaException e)
        {
            LogCommitAborted(lane.Partition.Partition.Value, e.Error.Reason);
            Abort(lane, transaction);
            return false;
        }
    }

    /// <summary>Aborts the lane's transaction and reads its records again from the last committed offset, on a fresh lane.</summary>
    private void Abort(KafkaLane lane, PartitionTransaction transaction)
    {
        try
        {
            transaction.Abort();
        }
        catch (KafkaException e)
        {
            CloseTransactions([lane]);
            throw new InvalidOperationException($"kafka: the transaction of partition {lane.Partition.Partition.Value} could not be aborted ({e.Error.Reason})", e);
        }
        Interlocked.Increment(ref _transactionsAborted);
        var from = lane.Committed >= 0 ? lane.Committed : lane.FirstOffset;
        var fresh = new KafkaLane(_nextLane++, lane.Partition);
        lock (_lanes)
        {
            lane.Live = false;
            _lanes.Remove(lane.Id);
            _lanes.Add(fresh.Id, fresh);
            _laneOrigins[fresh.Id] = lane.Partition;
            _assigned[lane.Partition] = fresh;
            _byPartition[lane.Partition.Partition.Value] = fresh;
        }
        _transactions.TryRemove(lane.Id, out _);
        _transactions[fresh.Id] = transaction;
        fresh.Resume(from, lane.HighWatermark);
        _consumer.Seek(new TopicPartitionOffset(lane.Partition, from));
    }

    private static bool IsFenced(Error error) =>
        error.IsFatal || error.Code is ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch or ErrorCode.Local_Fenced;

    [LoggerMessage(Level = LogLevel.Warning, Message = "kafka: transaction of partition {Partition} aborted ({Reason}); its records are read again from the last committed offset")]
    private partial void LogCommitAborted(int partition, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "kafka: transactional producer of partition {Partition} fenced ({Reason})")]
    private partial void LogFenced(int partition, string reason);
}
