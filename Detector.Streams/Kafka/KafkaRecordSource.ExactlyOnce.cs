using System.Collections.Concurrent;
using Confluent.Kafka;
using Detector.Streams.Telemetry;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Kafka;

/// <summary>
/// ExactlyOnce (<see cref="KafkaGuarantee.ExactlyOnce"/>): one <see cref="PartitionTransaction"/> per live lane. The
/// sinks hand a record's alerts and dead letters to its partition's transaction, tagged with the record's offset; each
/// commit interval, each lane's transaction commits its acknowledged offset + 1 together with the outputs of exactly
/// the records below it, while the records still in flight go on through the pipeline and their outputs wait for the
/// next commit (the pipeline never runs dry for a commit). A transaction that cannot commit is aborted and its records
/// are read again from the last committed offset (a fresh lane); a fenced owner (another node owns the partition now)
/// closes every transaction at once and ends the source with the reason, so the node exits 1 instead of going on as a
/// zombie.
/// </summary>
public sealed partial class KafkaRecordSource : ITransactionStatus
{
    /// <summary>The open transaction of each live lane, by lane id; sinks look theirs up from any thread.</summary>
    private readonly ConcurrentDictionary<int, PartitionTransaction> _transactions = new();

    /// <summary>The node's own fence on the offsets topic (ExactlyOnce only; consume thread only).</summary>
    private OffsetsWatch? _watch;

    private long _transactionsCommitted;
    private long _transactionsAborted;
    private long _transactionsFenced;

    /// <inheritdoc />
    public long TransactionsCommitted => Interlocked.Read(ref _transactionsCommitted);

    /// <inheritdoc />
    public long TransactionsAborted => Interlocked.Read(ref _transactionsAborted);

    /// <inheritdoc />
    public long TransactionsFenced => Interlocked.Read(ref _transactionsFenced);

    private bool ExactlyOnce => _options.Guarantee == KafkaGuarantee.ExactlyOnce;

    /// <summary>The open transaction of a lane, while the lane is live (ExactlyOnce).</summary>
    internal PartitionTransaction? TransactionOf(int lane) => _transactions.GetValueOrDefault(lane);

    /// <summary>
    /// Opens the lanes' transactions (fencing the partitions' previous producers first, on a real broker), reads where
    /// each starts from the offsets topic, and claims each partition with the next epoch; the lanes' opening runs in
    /// parallel (each is a few round trips). Returns where each lane starts (−1: the group's position).
    /// </summary>
    private Dictionary<KafkaLane, long> OpenTransactions(List<KafkaLane> lanes)
    {
        _watch ??= new OffsetsWatch(_options, _clientId);
        var opened = lanes.Select(lane => Task.Run(() => Claim(lane))).ToArray();
        try
        {
            Task.WaitAll(opened);
        }
        catch (AggregateException)
        {
            foreach (var done in opened.Where(t => t.IsCompletedSuccessfully))
            {
                done.Result.Transaction.Dispose();
            }
            var first = opened.First(t => t.IsFaulted).Exception!.InnerException!;
            throw new InvalidOperationException($"kafka: could not take over partitions [{string.Join(",", lanes.Select(l => l.Partition.Partition.Value))}] " +
                $"transactionally ({first.Message})", first);
        }
        var starts = new Dictionary<KafkaLane, long>();
        foreach (var (lane, transaction, next) in opened.Select(t => t.Result))
        {
            _transactions[lane.Id] = transaction;
            _watch.Watch(lane.Partition.Partition.Value, transaction.Epoch, transaction.ClaimOffset);
            LogClaimed(lane.Partition.Partition.Value, transaction.Epoch, next);
            starts[lane] = next;
        }
        return starts;
    }

    /// <summary>
    /// Opens a lane's transaction and claims its partition. A claim that fails with an error short of fencing (an
    /// abortable or retriable one: a broker or coordinator that answered wrongly once, as the mock cluster's coordinator
    /// sometimes does when dozens of partitions are claimed at once) is retried up to <see cref="ClaimAttempts"/> times
    /// on a fresh producer, whose InitTransactions aborts whatever the failed one left open. A real broker hides the
    /// failed attempt's claim record (aborted); the mock shows it, which changes nothing: it names the same next offset,
    /// and the retry claims the epoch after it. Fencing and fatal errors are not retried.
    /// </summary>
    private (KafkaLane Lane, PartitionTransaction Transaction, long Next) Claim(KafkaLane lane)
    {
        for (var attempt = 1; ; attempt++)
        {
            var transaction = new PartitionTransaction(_options, lane.Partition, _clientId, _logger);
            try
            {
                var newest = OffsetsLog.ReadNewest(_options, lane.Partition.Partition.Value, _clientId);
                transaction.Claim(newest?.Next ?? -1, (newest?.Epoch ?? 0) + 1);
                return (lane, transaction, newest?.Next ?? -1);
            }
            catch (KafkaException e) when (!IsFenced(e.Error) && attempt < ClaimAttempts)
            {
                transaction.Dispose();
                Interlocked.Increment(ref _claimsRetried);
                LogClaimRetried(lane.Partition.Partition.Value, attempt, e.Error.Reason);
                Thread.Sleep(ClaimRetryBackoff * attempt);
            }
            catch
            {
                transaction.Dispose();
                throw;
            }
        }
    }

    /// <summary>Tries at claiming one partition before the source fails with the last error.</summary>
    private const int ClaimAttempts = 3;

    private static readonly TimeSpan ClaimRetryBackoff = TimeSpan.FromMilliseconds(200);

    private long _claimsRetried;

    /// <summary>Partition claims that failed short of fencing and were tried again (ExactlyOnce).</summary>
    internal long ClaimsRetried => Interlocked.Read(ref _claimsRetried);

    /// <summary>Closes the lanes' transactions without committing (their open writes are aborted).</summary>
    private void CloseTransactions(IEnumerable<KafkaLane> lanes)
    {
        foreach (var lane in lanes)
        {
            if (_transactions.TryRemove(lane.Id, out var transaction))
            {
                _watch?.Forget(lane.Partition.Partition.Value);
                transaction.Dispose();
            }
        }
    }

    /// <summary>Closes every transaction at once (fenced, or the consume thread failed): nothing more is produced.</summary>
    private void CloseAllTransactions()
    {
        foreach (var id in _transactions.Keys.ToList())
        {
            if (_transactions.TryRemove(id, out var transaction))
            {
                transaction.Dispose();
            }
        }
        _watch?.Dispose();
        _watch = null;
    }

    /// <summary>
    /// Commits the lanes' transactions, each with its lane's acknowledged offset + 1 (records in flight stay in flight;
    /// their outputs wait for the next commit); returns false when a commit was aborted.
    /// </summary>
    private bool CommitTransactions(IReadOnlyCollection<KafkaLane> lanes)
    {
        var due = new List<(KafkaLane Lane, PartitionTransaction Transaction, long Next)>();
        foreach (var lane in lanes)
        {
            if (!_transactions.TryGetValue(lane.Id, out var transaction))
            {
                continue;
            }
            if (_watch?.TakenOver(lane.Partition.Partition.Value) is { } claim)
            {
                Fenced(lane, $"partition {lane.Partition.Partition.Value} was claimed by {claim.Owner} at epoch {claim.Epoch} (this node holds epoch {transaction.Epoch})");
            }
            // Read once: the outputs of every record up to it are handed over (a record is acknowledged only after its
            // sinks returned), and none of a later record goes into this transaction.
            var next = Volatile.Read(ref lane.Acknowledged) + 1;
            if (lane.LastRead >= 0 && next > lane.Committed)
            {
                due.Add((lane, transaction, next));
            }
        }
        if (due.Count == 0)
        {
            return true;
        }
        // In parallel, each on a thread of its own: a commit blocks for a few round trips to the transaction coordinator,
        // and 64 blocking calls on the thread pool would wait for it to grow (it adds threads slowly) and hold up the
        // pipeline's own work there.
        var group = _consumer.ConsumerGroupMetadata;
        var outcomes = due.Select(d => Task.Factory.StartNew(() => d.Transaction.Commit(d.Lane.Id, d.Next, group), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        try
        {
            // Every commit ends before any outcome is acted on: a fence closes every producer.
            Task.WaitAll(outcomes);
        }
        catch (AggregateException)
        {
            // Each outcome is looked at below.
        }
        var ok = true;
        for (var i = 0; i < due.Count; i++)
        {
            ok &= Settle(due[i].Lane, due[i].Transaction, due[i].Next, outcomes[i]);
        }
        return ok;
    }

    /// <summary>Records a lane's commit outcome: committed, aborted and read again, or fenced (which ends the source).</summary>
    private bool Settle(KafkaLane lane, PartitionTransaction transaction, long next, Task commit)
    {
        try
        {
            commit.GetAwaiter().GetResult();
            lane.Committed = next;
            Interlocked.Increment(ref _transactionsCommitted);
            return true;
        }
        catch (KafkaException e) when (IsFenced(e.Error))
        {
            Fenced(lane, $"the transactional producer was fenced ({e.Error.Reason})");
            return false;
        }
        catch (KafkaException e)
        {
            LogCommitAborted(lane.Partition.Partition.Value, e.Error.Reason);
            Abort(lane, transaction);
            return false;
        }
    }

    /// <summary>Another owner holds the partition: every transaction is closed at once and the source ends with the reason.</summary>
    private void Fenced(KafkaLane lane, string reason)
    {
        Interlocked.Increment(ref _transactionsFenced);
        LogFenced(lane.Partition.Partition.Value, reason);
        CloseAllTransactions();
        throw new InvalidOperationException($"kafka: fenced on partition {lane.Partition.Partition.Value}: {reason}; another node owns it now, " +
            "so this node stops producing and exits instead of going on as a zombie");
    }

    /// <summary>
    /// Aborts the lane's transaction, writes the last committed offset again in a transaction of its own (so the
    /// newest offsets record is a committed one even where readers see aborted records), and reads the lane's records
    /// again from there on a fresh lane.
    /// </summary>
    private void Abort(KafkaLane lane, PartitionTransaction transaction)
    {
        var from = lane.Committed >= 0 ? lane.Committed : lane.FirstOffset;
        try
        {
            transaction.Abort();
            transaction.Claim(from, transaction.Epoch);
        }
        catch (KafkaException e)
        {
            CloseAllTransactions();
            throw new InvalidOperationException($"kafka: the transaction of partition {lane.Partition.Partition.Value} could not be aborted ({e.Error.Reason})", e);
        }
        Interlocked.Increment(ref _transactionsAborted);
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
        error.IsFatal || error.Code is ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch or ErrorCode.Local_Fenced or ErrorCode.TransactionalIdAuthorizationFailed;

    [LoggerMessage(Level = LogLevel.Information, Message = "kafka: partition {Partition} claimed at epoch {Epoch}, resuming at offset {Next} (-1: the group's position)")]
    private partial void LogClaimed(int partition, long epoch, long next);

    [LoggerMessage(Level = LogLevel.Warning, Message = "kafka: claim of partition {Partition} failed (attempt {Attempt}: {Reason}); trying again on a fresh transactional producer")]
    private partial void LogClaimRetried(int partition, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "kafka: transaction of partition {Partition} aborted ({Reason}); its records are read again from the last committed offset")]
    private partial void LogCommitAborted(int partition, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "kafka: partition {Partition} fenced: {Reason}; every transaction closed, producing stopped")]
    private partial void LogFenced(int partition, string reason);
}
