using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detector.Streams.Kafka;

/// <summary>
/// The node's one idempotent producer, shared by the alert and dead-letter sinks and the model broadcast. A produce
/// completes when the broker has acknowledged it (acks=all), which is when the records behind it may be acknowledged.
/// </summary>
public sealed class KafkaProducerHost : IDisposable
{
    private readonly IProducer<byte[]?, byte[]> _producer;

    /// <summary>Connects as clientId.</summary>
    public KafkaProducerHost(KafkaOptions options, string clientId, ILogger? logger = null)
    {
        KafkaLibrary.EnsureLoaded();
        var log = logger ?? NullLogger.Instance;
        _producer = new ProducerBuilder<byte[]?, byte[]>(KafkaClientConfigs.Producer(options, clientId))
            .SetErrorHandler((_, e) => log.LogWarning("kafka producer error {Code}: {Reason}", e.Code, e.Reason))
            .SetLogHandler((_, m) => log.LogDebug("librdkafka {Facility}: {Message}", m.Facility, m.Message))
            .Build();
    }

    /// <summary>Produces messages; completes once every one is acknowledged, or fails with the first delivery error.</summary>
    public Task ProduceAsync(string topic, IReadOnlyList<Message<byte[]?, byte[]>> messages)
    {
        if (messages.Count == 0)
        {
            return Task.CompletedTask;
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var remaining = messages.Count;
        void Delivered(DeliveryReport<byte[]?, byte[]> report)
        {
            if (report.Error.IsError)
            {
                done.TrySetException(new ProduceException<byte[]?, byte[]>(report.Error, report));
            }
            else if (Interlocked.Decrement(ref remaining) == 0)
            {
                done.TrySetResult();
            }
        }
        try
        {
            foreach (var message in messages)
            {
                ProduceWaiting(_producer, topic, message, Delivered);
            }
        }
        catch (KafkaException e)
        {
            done.TrySetException(e);
        }
        return done.Task;
    }

    /// <summary>Partitions of a topic per the cluster's metadata (0 when the topic does not exist).</summary>
    public int PartitionCount(string topic, TimeSpan timeout)
    {
        using var admin = new DependentAdminClientBuilder(_producer.Handle).Build();
        var metadata = admin.GetMetadata(topic, timeout).Topics.SingleOrDefault();
        return metadata is { Error.Code: ErrorCode.NoError } ? metadata.Partitions.Count : 0;
    }

    /// <summary>Waits until everything produced is acknowledged (or the timeout passes); returns what is still pending.</summary>
    public int Flush(TimeSpan timeout) => _producer.Flush(timeout);

    /// <inheritdoc />
    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }

    /// <summary>Produces one message, waiting (polling delivery reports) while the client's local queue is full.</summary>
    internal static void ProduceWaiting(IProducer<byte[]?, byte[]> producer, string topic, Message<byte[]?, byte[]> message,
        Action<DeliveryReport<byte[]?, byte[]>>? delivered)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message, delivered);
                return;
            }
            catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }
}
