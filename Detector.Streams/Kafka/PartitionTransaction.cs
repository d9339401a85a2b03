using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Kafka;

/// <summary>
/// The transactional producer of one input partition while this node owns it (ExactlyOnce). Its transactional.id is
/// the partition's (<see cref="TransactionalId"/>), not the node's: on a real broker the next owner's InitTransactions
/// bumps the epoch and fences this producer. librdkafka's mock cluster gives every InitTransactions a new producer id
/// and leaves the old one valid, so the node also fences itself: each owner claims the partition with a new epoch in
/// the offsets topic (<see cref="Claim"/>), and an owner that sees a newer epoch there stops (see OffsetsWatch).
/// Each commit writes the partition's next offset as an offsets-topic record in the same transaction, and also sends
/// it with SendOffsetsToTransaction so that real brokers and lag tools see the group's progress.
/// </summary>
internal sealed class PartitionTransaction : IDisposable
{
    /// <summary>How long InitTransactions / commit / abort may take.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly IProducer<byte[]?, byte[]> _producer;
    private readonly TopicPartition _offsets;
    private readonly string _owner;
    private readonly byte[] _key;

    /// <summary>Transactions begun by this producer; with the owner and epoch it names the open one.</summary>
    private long _attempt;

    /// <summary>
    /// Outputs handed over by the sinks and not yet produced, each with the lane and offset of the record it belongs to;
    /// guarded by itself. A commit produces those of records below the offset it commits and leaves the rest for the next.
    /// </summary>
    private readonly List<PendingOutput> _pending = [];

    /// <summary>Fences the partition's previous producer (InitTransactions, on a real broker) and opens a transaction.</summary>
    public PartitionTransaction(KafkaOptions options, TopicPartition input, string clientId, ILogger logger)
    {
        Input = input;
        _owner = clientId;
        _key = OffsetsLog.Key(options, input.Partition.Value);
        _offsets = new TopicPartition(options.OffsetsTopic, input.Partition);
        var config = KafkaClientConfigs.Producer(options, $"{clientId}-txn-{input.Partition.Value}");
        config.TransactionalId = TransactionalId(options, input.Partition.Value);
        config.TransactionTimeoutMs = 60_000;
        _producer = new ProducerBuilder<byte[]?, byte[]>(config)
            .SetErrorHandler((_, e) => logger.LogWarning("kafka transactional producer {Partition} error {Code}: {Reason}", input.Partition.Value, e.Code, e.Reason))
            .SetLogHandler((_, m) => logger.LogDebug("librdkafka {Facility}: {Message}", m.Facility, m.Message))
            .Build();
        try
        {
            _producer.InitTransactions(Timeout);
            _producer.BeginTransaction();
        }
        catch
        {
            _producer.Dispose();
            throw;
        }
    }

    /// <summary>The input partition.</summary>
    public TopicPartition Input { get; }

    /// <summary>This owner's claim number on the partition (0 until <see cref="Claim"/>).</summary>
    public long Epoch { get; private set; }

    /// <summary>Where this owner's claim record landed in the offsets partition (−1 until <see cref="Claim"/>).</summary>
    public long ClaimOffset { get; private set; } = -1;

    /// <summary>Outputs handed over and not yet produced (their records' offsets are not committed yet).</summary>
    public int Pending
    {
        get
        {
            lock (_pending)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>The name of the open transaction: owner/partition/epoch/attempt (the <see cref="OffsetsRecord.Header"/> of its outputs).</summary>
    public string Name => $"{_owner}/{Input.Partition.Value}/{Epoch}/{Interlocked.Read(ref _attempt)}";

    /// <summary>The transactional.id of an input partition: the group, the topic and the partition.</summary>
    public static string TransactionalId(KafkaOptions options, int partition) => $"{options.GroupId}.{options.InputTopic}.{partition}";

    /// <summary>
    /// Takes the partition over as epoch, resuming at next: commits a transaction holding only the claim record. Also
    /// used after an abort, so the newest offsets record is again a committed one even where readers see aborted
    /// records (the mock cluster).
    /// </summary>
    public void Claim(long next, long epoch)
    {
        Epoch = epoch;
        var delivered = WriteOffsets(next);
        _producer.CommitTransaction(Timeout);
        ClaimOffset = delivered.GetAwaiter().GetResult().Offset.Value;
        Begin();
    }

    /// <summary>
    /// Hands over the outputs of the record at offset of lane (the pipeline's partition number of this assignment). They
    /// are produced by the first commit whose next offset is past the record: never in a transaction that commits an
    /// offset at or below the record's own (a crash would lose them), never in one after the record's offset is
    /// committed (a crash would write them twice). Returns at once; a failed write fails that commit, which is aborted
    /// and its records read again, so nothing waits on the brokers here.
    /// </summary>
    public void Add(int lane, long offset, string topic, IEnumerable<Message<byte[]?, byte[]>> messages)
    {
        lock (_pending)
        {
            foreach (var message in messages)
            {
                _pending.Add(new PendingOutput(lane, offset, topic, message));
            }
        }
    }

    /// <summary>
    /// Commits the open transaction with next as the partition's next offset: produces the pending outputs of lane's
    /// records below next (those of later records wait for the next commit; those of other lanes are stale: dropped),
    /// the offsets-topic record and SendOffsetsToTransaction, then opens the next transaction. Throws what the client
    /// threw: KafkaTxnRequiresAbortException (call <see cref="Abort"/>), or a fatal KafkaException (fenced: this producer
    /// is done). Every record below next must be acknowledged, so that its outputs are already handed over.
    /// </summary>
    public void Commit(int lane, long next, IConsumerGroupMetadata group)
    {
        var name = Encoding.UTF8.GetBytes(Name);
        foreach (var output in TakePending(lane, next))
        {
            (output.Message.Headers ??= []).Add(OffsetsRecord.Header, name);
            // No delivery handler: a write that fails puts the transaction in an abortable state and CommitTransaction
            // (which waits for every write) throws, so each output is either committed with next or read again.
            KafkaProducerHost.ProduceWaiting(_producer, output.Topic, output.Message, null);
        }
        _ = WriteOffsets(next);
        _producer.SendOffsetsToTransaction([new TopicPartitionOffset(Input, next)], group, Timeout);
        _producer.CommitTransaction(Timeout);
        Begin();
    }

    /// <summary>Removes and returns the pending outputs of lane's records below next, in record order; drops other lanes'.</summary>
    private List<PendingOutput> TakePending(int lane, long next)
    {
        lock (_pending)
        {
            var due = _pending.Where(o => o.Lane == lane && o.Offset < next).OrderBy(o => o.Offset).ToList();
            _pending.RemoveAll(o => o.Lane != lane || o.Offset < next);
            return due;
        }
    }

    /// <summary>
    /// Aborts the open transaction (its writes are never seen by read_committed readers of a real broker), drops every
    /// pending output (their records are read again), and opens the next one.
    /// </summary>
    public void Abort()
    {
        lock (_pending)
        {
            _pending.Clear();
        }
        _producer.AbortTransaction(Timeout);
        Begin();
    }

    /// <summary>Closes the producer; an open transaction is aborted by the brokers (or by the next owner's fence).</summary>
    public void Dispose() => _producer.Dispose();

    private Task<DeliveryResult<byte[]?, byte[]>> WriteOffsets(long next)
    {
        var record = new OffsetsRecord(next, Epoch, _owner, Name);
        return _producer.ProduceAsync(_offsets, new Message<byte[]?, byte[]> { Key = _key, Value = record.Encode() });
    }

    private void Begin()
    {
        Interlocked.Increment(ref _attempt);
        _producer.BeginTransaction();
    }

    /// <summary>An output waiting for the commit of its record's offset.</summary>
    private sealed record PendingOutput(int Lane, long Offset, string Topic, Message<byte[]?, byte[]> Message);

    /// <summary>For log lines: the partition as text.</summary>
    public override string ToString() => Input.Partition.Value.ToString(CultureInfo.InvariantCulture);
}
