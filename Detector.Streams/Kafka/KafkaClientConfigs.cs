using Confluent.Kafka;

namespace Detector.Streams.Kafka;

/// <summary>
/// librdkafka configurations for the node's clients: our defaults first, then the user's `Kafka:Properties`
/// (security.protocol, sasl.*, ssl.*, tuning) over them, so a user can override any property.
/// </summary>
public static class KafkaClientConfigs
{
    /// <summary>
    /// The scoring consumer: a group member that stores nothing itself (offsets come from the offset tracker); a static
    /// member (`group.instance.id`) when instanceId is given.
    /// </summary>
    public static ConsumerConfig Consumer(KafkaOptions options, string groupId, string clientId, string? instanceId = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = groupId,
            ClientId = clientId,
            GroupInstanceId = instanceId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            // Eager assignment: a rebalance revokes everything, we drain and commit, then the new owners start.
            // Cooperative-sticky was measured on the 2.16 mock and not chosen: see the README ("Rebalancing").
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.RoundRobin,
            SessionTimeoutMs = (int)options.SessionTimeout.TotalMilliseconds,
            HeartbeatIntervalMs = Math.Max(100, (int)options.SessionTimeout.TotalMilliseconds / 4),
            EnablePartitionEof = false,
            // Fetch well ahead of the pipeline (the defaults leave the client idle between small fetches) ...
            QueuedMinMessages = 200_000,
            // ... but only up to 16 MiB of records (~30k card records): a shallow queue whose memory librdkafka reuses,
            // where 256 MiB (before) let the client prefetch the whole backlog into fresh memory (page faults of a
            // `detector bench kafka --cases end-to-end` run: 766k with 256 MiB, 460k with 16). End to end, 5 alternating
            // pairs: 16 MiB ran 6-23% faster at 10-22% less CPU per record in every pair, consume-only no slower
            // (docs/benchmarks.md). A full queue costs only fetch.queue.backoff.ms (below) before the next fetch. Raise it
            // in Kafka:Properties for brokers far away (a deeper queue hides their latency).
            QueuedMaxMessagesKbytes = 16 << 10,
            // Since librdkafka 2.1 a partition whose local queue passed those thresholds waits fetch.queue.backoff.ms
            // (default 1000 ms) before its next fetch: with 2.16 the consumer idled and consume-only fell from ~470k to
            // ~260k records/s (`bench kafka --records 300000`, old client vs new, same busy machine); 10 ms: 440k–525k.
            FetchQueueBackoffMs = 10,
            FetchMaxBytes = 64 << 20,
            MaxPartitionFetchBytes = 8 << 20,
            FetchWaitMaxMs = 100,
            SocketNagleDisable = true,
            // The source needs only partition, offset and value: skip marshalling topic names, headers and timestamps.
            ConsumeResultFields = "none",
        };
        return Apply(config, options);
    }

    /// <summary>A reader that assigns partitions itself and never commits (model and status topics).</summary>
    public static ConsumerConfig Reader(KafkaOptions options, string clientId) =>
        Apply(new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = $"{clientId}-reader",
            ClientId = clientId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = true,
            FetchWaitMaxMs = 50,
            FetchMaxBytes = 64 << 20,
            MaxPartitionFetchBytes = 64 << 20,
        }, options);

    /// <summary>An idempotent producer: acks from all in-sync replicas, no duplicates or reordering from its own retries.</summary>
    public static ProducerConfig Producer(KafkaOptions options, string clientId) =>
        Apply(new ProducerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = clientId,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            MessageMaxBytes = 64 << 20,
            SocketNagleDisable = true,
        }, options);

    /// <summary>Sets the user's properties over ours.</summary>
    private static T Apply<T>(T config, KafkaOptions options)
        where T : ClientConfig
    {
        foreach (var (key, value) in options.Properties)
        {
            config.Set(key, value);
        }
        return config;
    }
}
