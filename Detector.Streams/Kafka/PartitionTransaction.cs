using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Kafka;

/// <summary>
/// The transactional producer of one input partition while this node owns it (ExactlyOnce). Its transactional.id is
/// the partition's (<see cref="TransactionalId"/>), not the node's: the next owner's InitTransactions bumps the epoch
/// and fences this producer, so a zombie (a node that lost the partition but does not know yet) can no longer commit;
/// that holds on the mock cluster too, which checks producer ids and epochs but not the group generation of
/// TxnOffsetCommit (KIP-447). Each commit writes the partition's next offset as a record of the offsets topic in the
/// same transaction (the mock stores nothing for TxnOffsetCommit), and also sends it with SendOffsetsToTransaction so
/// real brokers and lag tools see the group's progress.
/// </summary>
internal sealed class PartitionTransaction : IDisposable
{
    /// <summary>How long InitTransactions / commit / abort may take.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly IProducer<byte[]?, byte[]> _producer;
    private readonly string _offsetsTopic;

    /// <summary>Messages produced in the open transaction (by sink threads).</summary>
    private long _produced;

    /// <summary>Why a write of the open transaction failed (null: none did); such a transaction can only be aborted.</summary>
    private volatile string? _failed;

    /// <summary>Fences the partition's previous producer (InitTransactions) and opens a transaction.</summary>
    public PartitionTransaction(KafkaOptions options, TopicPartition input, string clientId, ILogger logger)
    {
        Input = input;
        _offsetsTopic = options.OffsetsTopic;
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

    /// <summary>Whether the open transaction holds anything besides its offsets.</summary>
    public bool HasWrites => Interlocked.Read(ref _produced) > 0;

    /// <summary>The transactional.id of an input partition: the group, the topic and the partition.</summary>
    public static string TransactionalId(KafkaOptions options, int partition) => $"{options.GroupId}.{options.InputTopic}.{partition}";

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
            throw new KafkaException(new Error(ErrorCode.Local_Fail, $"a write of the transaction failed: {failed}"));
        }
        var value = Encoding.UTF8.GetBytes(next.ToString(CultureInfo.InvariantCulture));
        var key = Encoding.UTF8.GetBytes(Input.Partition.Value.ToString(CultureInfo.InvariantCulture));
        _producer.Produce(new TopicPartition(_offsetsTopic, Input.Partition), new Message<byte[]?, byte[]> { Key = key, Value = value });
        _producer.SendOffsetsToTransaction([new TopicPartitionOffset(Input, next)], group, Timeout);
        _producer.CommitTransaction(Timeout);
        Interlocked.Exchange(ref _produced, 0);
        _producer.BeginTransaction();
    }

    /// <summary>Aborts the open transaction (its writes are never seen by read_committed readers) and opens the next one.</summary>
    public void Abort()
    {
        _producer.AbortTransaction(Timeout);
        Interlocked.Exchange(ref _produced, 0);
        _failed = null;
        _producer.BeginTransaction();
    }

    /// <summary>Closes the producer; an open transaction is aborted by the brokers (or by the next owner's fence).</summary>
    public void Dispose() => _producer.Dispose();
}
