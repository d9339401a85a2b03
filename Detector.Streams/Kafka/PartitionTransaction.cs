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

    /// <summary>Messages produced in the open transaction (by sink threads).</summary>
    private long _produced;

    /// <summary>Why a write of the open transaction failed (null: none did); such a transaction can only be aborted.</summary>
    private volatile string? _failed;

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

    /// <summary>Whether the open transaction holds anything besides its offsets.</summary>
    public bool HasWrites => Interlocked.Read(ref _produced) > 0;

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
    /// Produces into the open transaction; completes when the brokers have answered every message. A failed write
    /// completes too, marking the transaction failed: its commit then aborts it and its records are read again, so
    /// the pipeline must not wait (and retry forever) on a write that the abort will undo anyway.
    /// </summary>
    public Task ProduceAsync(string topic, IReadOnlyList<Message<byte[]?, byte[]>> messages)
    {
        if (messages.Count == 0)
        {
            return Task.CompletedTask;
        }
        Interlocked.Add(ref _produced, messages.Count);
        var name = Encoding.UTF8.GetBytes(Name);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var remaining = messages.Count;
        void Delivered(DeliveryReport<byte[]?, byte[]> report)
        {
            if (report.Error.IsError)
            {
                _failed ??= report.Error.Reason;
            }
            if (Interlocked.Decrement(ref remaining) == 0)
            {
                done.TrySetResult();
            }
        }
        try
        {
            foreach (var message in messages)
            {
                (message.Headers ??= []).Add(OffsetsRecord.Header, name);
                KafkaProducerHost.ProduceWaiting(_producer, topic, message, Delivered);
            }
        }
        catch (Exception e) when (e is KafkaException or ObjectDisposedException)
        {
            _failed ??= e.Message;
            done.TrySetResult();
        }
        return done.Task;
    }

    /// <summary>
    /// Commits the open transaction with next as the partition's next offset (offsets-topic record and
    /// SendOffsetsToTransaction), then opens the next one. Throws what the client threw: KafkaTxnRequiresAbortException
    /// (call <see cref="Abort"/>), or a fatal KafkaException (fenced: this producer is done).
    /// </summary>
    public void Commit(long next, IConsumerGroupMetadata group)
    {
        if (_failed is { } failed)
        {
            throw new KafkaTxnRequiresAbortException(new Error(ErrorCode.Local_Fail, $"a write of the transaction failed: {failed}"));
        }
        _ = WriteOffsets(next);
        _producer.SendOffsetsToTransaction([new TopicPartitionOffset(Input, next)], group, Timeout);
        _producer.CommitTransaction(Timeout);
        Begin();
    }

    /// <summary>Aborts the open transaction (its writes are never seen by read_committed readers of a real broker) and opens the next one.</summary>
    public void Abort()
    {
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
        Interlocked.Exchange(ref _produced, 0);
        _failed = null;
        Interlocked.Increment(ref _attempt);
        _producer.BeginTransaction();
    }

    /// <summary>For log lines: the partition as text.</summary>
    public override string ToString() => Input.Partition.Value.ToString(CultureInfo.InvariantCulture);
}
