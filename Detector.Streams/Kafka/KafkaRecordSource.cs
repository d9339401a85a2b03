using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Confluent.Kafka;
using Detector.Streams.Common;
using Detector.Streams.Records;
using Detector.Streams.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detector.Streams.Kafka;

/// <summary>
/// The input topic as a record source, as a member of the nodes' consumer group. One thread owns the consumer (the
/// Confluent shape: bounded <c>Consume</c> timeout, rebalance callbacks on that thread). Offsets are committed only
/// up to what the pipeline acknowledged, so delivery is at-least-once. Records wait for the pipeline in a bounded
/// hand-over buffer of <see cref="KafkaOptions.MaxInFlightRecords"/>; when it is full the consume thread waits, and
/// after a second of waiting it pauses the partitions and polls while paused so the group never thinks it dead. On
/// revoke, the revoked partitions' in-flight records are drained and committed before they are let go.
/// </summary>
public sealed partial class KafkaRecordSource : IRecordSource, ISourceStatus, IAsyncDisposable
{
    private readonly KafkaOptions _options;
    private readonly string _clientId;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IConsumer<Ignore, byte[]> _consumer;
    private readonly Channel<IReadOnlyList<RawRecord>> _chunks;

    /// <summary>Every lane ever created, by id (acknowledgements look lanes up from any thread).</summary>
    private readonly Dictionary<int, KafkaLane> _lanes = [];

    /// <summary>Which Kafka partition every lane ever created read (kept after revoke, for dead-letter headers).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, TopicPartition> _laneOrigins = new();

    /// <summary>The live lane of each assigned partition; consume thread only.</summary>
    private readonly Dictionary<TopicPartition, KafkaLane> _assigned = [];

    /// <summary>The same lanes by partition number (one input topic): the per-message lookup; consume thread only.</summary>
    private readonly Dictionary<int, KafkaLane> _byPartition = [];

    /// <summary>Set by acknowledgements; a revoke resets it and waits on it while draining.</summary>
    private readonly ManualResetEventSlim _acknowledged = new(false);

    /// <summary>Ends reading (ReadAsync completes); the consumer stays in the group until disposed.</summary>
    private readonly CancellationTokenSource _stopReading = new();

    /// <summary>Ends the consume thread after a final commit.</summary>
    private readonly CancellationTokenSource _close = new();
    private readonly int _chunkSize;
    private List<RawRecord> _chunk;

    /// <summary>When the pending chunk's first record was read: every record of a chunk carries it (one clock read per chunk).</summary>
    private DateTimeOffset _chunkReceivedAt;
    private Thread? _thread;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed once the consume thread hands over nothing more (after its last flush).</summary>
    private readonly TaskCompletionSource _readingEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextLane;
    private int _disposed;

    /// <summary>Set once the pipeline has stopped reading: a revoke from then on (the close) has nothing more to wait for.</summary>
    private volatile bool _readerDone;

    /// <summary>The interval commit under way off the consume thread (at least once), if any.</summary>
    private Task? _backgroundCommit;
    private bool _paused;
    private long _lastCommit;
    private long _consumed;
    private long _skipped;
    private volatile PartitionStatus[] _status = [];

    /// <summary>Joins the group (on the first read) as clientId (also its static instance id with <see cref="KafkaOptions.StaticMembership"/>).</summary>
    public KafkaRecordSource(KafkaOptions options, string clientId, ILogger? logger = null, TimeProvider? time = null, int chunkSize = 512)
    {
        _options = options.Validate();
        _clientId = clientId;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _chunkSize = chunkSize;
        _chunk = new List<RawRecord>(chunkSize);
        _chunks = Channel.CreateBounded<IReadOnlyList<RawRecord>>(new BoundedChannelOptions(Math.Max(1, options.MaxInFlightRecords / chunkSize))
        {
            SingleReader = true,
            SingleWriter = true,
        });
        KafkaLibrary.EnsureLoaded();
        _consumer = new ConsumerBuilder<Ignore, byte[]>(KafkaClientConfigs.Consumer(options, options.GroupId, clientId, options.StaticMembership ? clientId : null))
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((_, partitions) => OnRevoked(partitions))
            .SetPartitionsLostHandler((_, partitions) => OnLost(partitions))
            .SetErrorHandler((_, e) => LogClientError(e.Code, e.Reason))
            .SetLogHandler((_, m) => LogClient(m.Level.ToString(), m.Facility, m.Message))
            .Build();
    }

    /// <summary>Raised (on the consume thread) after each assignment change.</summary>
    public event Action? AssignmentChanged;

    /// <summary>Raised (on the consume thread) when a revoke starts draining, with the revoked partitions' records in flight.</summary>
    internal event Action<long>? DrainStarted;

    /// <summary>The assigned partitions with their committed offsets and lag (refreshed each commit interval).</summary>
    public IReadOnlyList<PartitionStatus> Partitions => _status;

    /// <summary>Records acknowledged over the assigned partitions since they were assigned here (exact, not a snapshot).</summary>
    public long AcknowledgedRecords
    {
        get
        {
            lock (_lanes)
            {
                return _lanes.Values.Where(l => l.Live && l.LastRead >= 0).Sum(l => Volatile.Read(ref l.Acknowledged) + 1 - l.FirstOffset);
            }
        }
    }

    /// <summary>Whether the group has assigned this node at least one partition.</summary>
    public bool IsAssigned => _status.Length > 0;

    /// <summary>Records read and not yet acknowledged, over the assigned partitions.</summary>
    public long InFlight
    {
        get
        {
            lock (_lanes)
            {
                return _lanes.Values.Where(l => l.Live).Sum(l => l.InFlight);
            }
        }
    }

    /// <summary>Records acknowledged over the assigned partitions whose offsets are not committed yet (ExactlyOnce: whose transactions are open).</summary>
    public long UncommittedRecords
    {
        get
        {
            lock (_lanes)
            {
                return _lanes.Values.Where(l => l.Live && l.Committed >= 0).Sum(l => Math.Max(0, Volatile.Read(ref l.Acknowledged) + 1 - l.Committed));
            }
        }
    }

    /// <summary>Offsets inside a partition that were never delivered (gone to retention before they were read).</summary>
    public long SkippedOffsets => Interlocked.Read(ref _skipped);

    /// <summary>Messages read from Kafka.</summary>
    public long Consumed => Interlocked.Read(ref _consumed);

    /// <summary>Whether the partitions are paused because the pipeline has left the hand-over buffer full for <see cref="PauseAfter"/>.</summary>
    internal bool IsPaused => Volatile.Read(ref _paused);

    /// <inheritdoc />
    public async IAsyncEnumerable<IReadOnlyList<RawRecord>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _thread, new Thread(ConsumeLoop) { IsBackground = true, Name = "kafka-consumer" }, null) is not null)
        {
            throw new InvalidOperationException("a Kafka source is read once");
        }
        _thread.Start();
        IReadOnlyList<RawRecord>? notTaken = null;
        try
        {
            await foreach (var chunk in _chunks.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    // A stop: the end of the stream (the channel yields ready items without looking at the token).
                    notTaken = chunk;
                    yield break;
                }
                yield return chunk;
            }
            await _chunks.Reader.Completion.ConfigureAwait(false); // surfaces a consume-thread failure
        }
        finally
        {
            // The pipeline takes nothing more (stopped, cancelled or done). What is still in the hand-over buffer never
            // reached it: un-read it, so in-flight counts (and a revoke's drain) wait only for what the pipeline holds.
            Stop();
            // Only once the consume thread has stopped: a record it accepted after an earlier un-read would move the
            // lane's read position forward again, and the chunk un-read first would stay counted as in flight.
            await _readingEnded.Task.ConfigureAwait(false);
            if (notTaken is not null)
            {
                Unread(notTaken);
            }
            while (_chunks.Reader.TryRead(out var left))
            {
                Unread(left);
            }
            _readerDone = true;
        }
    }

    /// <summary>Records handed over but never taken by the pipeline: their lanes' read position goes back before them.</summary>
    private void Unread(IReadOnlyList<RawRecord> records)
    {
        foreach (var group in records.GroupBy(r => r.Position.Partition))
        {
            KafkaLane? lane;
            lock (_lanes)
            {
                _lanes.TryGetValue(group.Key, out lane);
            }
            var before = group.Min(r => r.Position.Offset) - 1;
            if (lane is not null && before < Volatile.Read(ref lane.LastRead))
            {
                Volatile.Write(ref lane.LastRead, before);
            }
        }
    }

    /// <summary>The Kafka topic and partition behind a pipeline partition number (a lane), if it is one of ours.</summary>
    public TopicPartition? PartitionOf(int lane) => _laneOrigins.TryGetValue(lane, out var p) ? p : null;

    /// <inheritdoc />
    public void Acknowledge(SourcePosition position)
    {
        KafkaLane? lane;
        lock (_lanes)
        {
            _lanes.TryGetValue(position.Partition, out lane);
        }
        if (lane is { Live: true } && lane.Acknowledge(position.Offset) && !_acknowledged.IsSet)
        {
            _acknowledged.Set();
        }
    }

    /// <summary>Stops reading: <see cref="ReadAsync"/> ends; the group membership and commits go on until disposal.</summary>
    public void Stop()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _stopReading.Cancel();
        }
    }

    /// <summary>Stops reading, commits what is acknowledged, and leaves the group.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stopReading.Cancel();
        _close.Cancel();
        if (_thread is not null)
        {
            await _closed.Task.ConfigureAwait(false);
        }
        _consumer.Dispose();
        _stopReading.Dispose();
        _close.Dispose();
        _acknowledged.Dispose();
    }

    private void ConsumeLoop()
    {
        try
        {
            _consumer.Subscribe(_options.InputTopic);
            ReadUntilStopped();
            Flush();
            _chunks.Writer.TryComplete();
            _readingEnded.TrySetResult();
            // Stay in the group until closed: acknowledgements of what was read keep arriving and get committed.
            SetPaused(true);
            while (!_close.IsCancellationRequested)
            {
                KafkaErrors.ConsumeOrNull(_consumer, TimeSpan.FromMilliseconds(50), _logger);
                Maintain(force: false);
            }
            Maintain(force: true);
            _consumer.Close();
            CloseAllTransactions();
        }
        catch (Exception e)
        {
            LogConsumerFailed(e);
            CloseAllTransactions();
            _chunks.Writer.TryComplete(e);
        }
        finally
        {
            try
            {
                AwaitBackgroundCommit(); // the consumer is disposed once closed: no commit may still be using it
            }
            catch (AggregateException e)
            {
                LogConsumerFailed(e);
            }
            _readingEnded.TrySetResult();
            _closed.TrySetResult();
        }
    }

    private void ReadUntilStopped()
    {
        while (!_stopReading.IsCancellationRequested)
        {
            // Block briefly only when nothing is pending, so a chunk under way is handed over promptly.
            var result = KafkaErrors.ConsumeOrNull(_consumer, _chunk.Count == 0 ? TimeSpan.FromMilliseconds(100) : TimeSpan.Zero, _logger);
            if (result is null)
            {
                Flush();
                Maintain(force: ExactlyOnce && CaughtUp());
                continue;
            }
            Accept(result);
            if (_chunk.Count >= _chunkSize)
            {
                Flush();
                Maintain(force: false);
            }
        }
    }

    /// <summary>Adds a consumed message to the pending chunk, on its partition's lane.</summary>
    private void Accept(ConsumeResult<Ignore, byte[]> result)
    {
        {
            if (!_byPartition.TryGetValue(result.Partition.Value, out var lane))
            {
                return; // from a partition no longer ours: it will be read again by its owner
            }
            var offset = result.Offset.Value;
            if (lane.LastRead < 0)
            {
                // The lane starts where the group's committed position put it: nothing before it is ours to handle.
                lane.Start(offset);
            }
            else if (offset > lane.LastRead + 1)
            {
                // Offsets the broker no longer has (retention ran ahead of us, or a compacted/transactional topic).
                Interlocked.Add(ref _skipped, offset - lane.LastRead - 1);
                LogSkipped(lane.Partition.Partition.Value, lane.LastRead + 1, offset - 1);
            }
            Volatile.Write(ref lane.LastRead, offset);
            if (_chunk.Count == 0)
            {
                _chunkReceivedAt = _time.GetUtcNow();
            }
            _chunk.Add(new RawRecord(result.Message.Value ?? [], new SourcePosition(lane.Id, offset), _chunkReceivedAt));
            _consumed++;
        }
    }

    /// <summary>
    /// Hands the pending chunk to the pipeline. When the pipeline is full (the channel holds
    /// <see cref="KafkaOptions.MaxInFlightRecords"/>), the consume thread waits for room without polling, so the
    /// client's prefetched records stay queued and flow on at once. Pausing partitions purges that prefetch and costs a
    /// refetch per cycle (measured: 10x slower at an 8k bound), so partitions are paused only when the wait passes
    /// <see cref="PauseAfter"/>; then the thread polls while paused to keep serving the group (rebalance callbacks).
    /// </summary>
    private void Flush()
    {
        var waited = _time.GetTimestamp();
        while (_chunk.Count > 0)
        {
            if (_chunks.Writer.TryWrite(_chunk))
            {
                _chunk = new List<RawRecord>(_chunkSize);
                if (_paused && !_stopReading.IsCancellationRequested)
                {
                    SetPaused(false);
                }
                return;
            }
            if (_stopReading.IsCancellationRequested)
            {
                // Never acknowledged, so never committed: the group reads them again.
                Unread(_chunk);
                _chunk.Clear();
                return;
            }
            _chunks.Writer.WaitToWriteAsync(CancellationToken.None).AsTask().Wait(TimeSpan.FromMilliseconds(100));
            if (!_paused && _time.GetElapsedTime(waited) >= PauseAfter)
            {
                SetPaused(true);
            }
            if (_paused && KafkaErrors.ConsumeOrNull(_consumer, TimeSpan.Zero, _logger) is { } result)
            {
                Accept(result); // fetched before the pause took effect: kept, not dropped
            }
            Maintain(force: false);
        }
    }

    /// <summary>How long the consume thread waits for room before it pauses its partitions.</summary>
    private static readonly TimeSpan PauseAfter = TimeSpan.FromSeconds(1);

    /// <summary>Commits and the status snapshot once per commit interval (or when forced).</summary>
    private void Maintain(bool force)
    {
        var now = _time.GetTimestamp();
        if (force || _time.GetElapsedTime(_lastCommit, now) >= _options.CommitInterval)
        {
            _lastCommit = now;
            if (ExactlyOnce)
            {
                CommitTransactions([.. _assigned.Values]);
            }
            else if (force)
            {
                Commit(_assigned.Values);
            }
            else
            {
                CommitInBackground(_assigned.Values);
            }
            RefreshStatus();
        }
    }

    /// <summary>
    /// Whether the input has gone quiet with everything read acknowledged and not yet committed. ExactlyOnce commits then
    /// rather than at the end of the interval: alerts are invisible until their transaction commits, so the last ones
    /// before a lull (or the end of a replay) show at once instead of up to one interval later. While records flow a
    /// poll is never empty and commits keep to the interval.
    /// </summary>
    private bool CaughtUp() =>
        _chunk.Count == 0 && _assigned.Values.All(l => l.InFlight == 0)
        && _assigned.Values.Any(l => l.LastRead >= 0 && Volatile.Read(ref l.Acknowledged) + 1 > l.Committed);

    private void SetPaused(bool paused)
    {
        Volatile.Write(ref _paused, paused);
        if (_assigned.Count == 0)
        {
            return;
        }
        var partitions = _assigned.Keys.ToList();
        if (paused)
        {
            _consumer.Pause(partitions);
        }
        else
        {
            _consumer.Resume(partitions);
        }
    }

    /// <summary>
    /// Commits the acknowledged offsets of the given lanes that moved since their last commit, and waits for the answer
    /// (a revoke, the last commit before close). A commit already under way in the background is waited for first, so
    /// commits of a partition never overlap.
    /// </summary>
    private bool Commit(IEnumerable<KafkaLane> lanes)
    {
        AwaitBackgroundCommit();
        return CommitMoved(Moved(lanes));
    }

    /// <summary>
    /// The interval's commit, off the consume thread: librdkafka's synchronous commit waits for the group coordinator,
    /// however long it is away (measured on the mock: a commit with the coordinator's broker down returned only once
    /// it was up again), and a consume thread blocked there stops reading every partition, serves no client events and
    /// no rebalance. While one commit is under way the next interval's is skipped; the one after it carries the newer
    /// offsets.
    /// </summary>
    private void CommitInBackground(IEnumerable<KafkaLane> lanes)
    {
        if (_backgroundCommit is { IsCompleted: false })
        {
            return;
        }
        var moved = Moved(lanes);
        if (moved.Count > 0)
        {
            _backgroundCommit = Task.Factory.StartNew(() => CommitMoved(moved), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    private void AwaitBackgroundCommit() => _backgroundCommit?.Wait(); // CommitMoved catches what a commit throws

    /// <summary>The lanes whose acknowledged offsets moved since their last commit, with the offset to commit.</summary>
    private static List<(KafkaLane Lane, long Next)> Moved(IEnumerable<KafkaLane> lanes) =>
        [.. lanes.Where(l => l.LastRead >= 0 && Volatile.Read(ref l.Acknowledged) + 1 > Volatile.Read(ref l.Committed))
            .Select(l => (Lane: l, Next: Volatile.Read(ref l.Acknowledged) + 1))];

    private bool CommitMoved(List<(KafkaLane Lane, long Next)> moved)
    {
        if (moved.Count == 0)
        {
            return true;
        }
        try
        {
            _consumer.Commit(moved.Select(m => new TopicPartitionOffset(m.Lane.Partition, m.Next)));
            foreach (var (lane, next) in moved)
            {
                AtomicMax.Update(ref lane.Committed, next);
            }
            return true;
        }
        catch (KafkaException e)
        {
            LogCommitFailed(moved.Count, e.Error.Reason);
            return false;
        }
    }

    private void RefreshStatus()
    {
        var status = new List<PartitionStatus>(_assigned.Count);
        foreach (var lane in _assigned.Values.OrderBy(l => l.Partition.Partition.Value))
        {
            var high = _consumer.GetWatermarkOffsets(lane.Partition).High;
            if (high != Offset.Unset)
            {
                lane.HighWatermark = high.Value;
            }
            status.Add(new PartitionStatus(lane.Partition.Topic, lane.Partition.Partition.Value, Volatile.Read(ref lane.Acknowledged) + 1, lane.Lag));
        }
        _status = [.. status];
    }
}
