namespace Detector.Streams.Kafka;

/// <summary>
/// How a node talks to Kafka: where the cluster is, which topics carry what, and the librdkafka properties (SASL/SSL
/// and tuning) every client gets. Bound from the `Kafka` configuration section.
/// </summary>
public sealed record KafkaOptions
{
    /// <summary>Comma-separated host:port list (librdkafka `bootstrap.servers`).</summary>
    public string BootstrapServers { get; init; } = "";

    /// <summary>Consumer group of the scoring nodes: Kafka spreads the input partitions over its members.</summary>
    public string GroupId { get; init; } = "detector";

    /// <summary>Records to score.</summary>
    public string InputTopic { get; init; } = "detector-input";

    /// <summary>Alerts, keyed by entity.</summary>
    public string AlertsTopic { get; init; } = "detector-alerts";

    /// <summary>Records that could not be scored: the original bytes, the reason in headers.</summary>
    public string DeadLetterTopic { get; init; } = "detector-dead-letters";

    /// <summary>Compacted topic keyed by model name: the newest artifact of each model.</summary>
    public string ModelsTopic { get; init; } = "detector-models";

    /// <summary>One-partition topic of the trainer lease: its owner in <see cref="TrainerGroupId"/> holds the lease, and each holder's claim record there gives its epoch.</summary>
    public string ControlTopic { get; init; } = "detector-control";

    /// <summary>Consumer group of the trainer lease (the holder owns the control partition; see Detector.Node/Cluster/KafkaLease).</summary>
    public string TrainerGroupId { get; init; } = "detector-trainer";

    /// <summary>librdkafka properties for every client (security.protocol, sasl.*, ssl.*, tuning).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>How often acknowledged offsets are committed (also on revoke and on shutdown).</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Records read and waiting for the pipeline; beyond it the consumer waits, and pauses its partitions after a second
    /// (backpressure). The client's own prefetch (native memory) keeps the flow going, so this buffer only has to cover
    /// the pipeline's jitter: 4,096 ran end to end ~1.35x faster than 65,536 (`detector bench kafka`), whose records
    /// outlived young-generation collections and made the GC promote and re-fault fresh memory for most of them.
    /// </summary>
    public int MaxInFlightRecords { get; init; } = 4_096;

    /// <summary>How long a revoke waits for the in-flight records of the revoked partitions before giving them up.</summary>
    public TimeSpan RevokeDrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Group session timeout: how soon a dead node's partitions (and the trainer role) move.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Static membership (KIP-345) in <see cref="GroupId"/>: the input consumer's `group.instance.id` is the node id, so a
    /// node restarted within <see cref="SessionTimeout"/> gets its partitions back without the other members
    /// rebalancing (on a real broker; librdkafka's mock rebalances anyway). Off by default: node ids must then be
    /// unique and survive a restart (a pod name does across container restarts); the k8s manifests turn it on.
    /// </summary>
    public bool StaticMembership { get; init; }

    /// <summary>
    /// Delivery of alerts and dead letters: <see cref="KafkaGuarantee.AtLeastOnce"/> (default) or
    /// <see cref="KafkaGuarantee.ExactlyOnce"/> (transactions per input partition, see <see cref="OffsetsTopic"/>).
    /// </summary>
    public KafkaGuarantee Guarantee { get; init; } = KafkaGuarantee.AtLeastOnce;

    /// <summary>
    /// ExactlyOnce only: compacted topic with at least as many partitions as <see cref="InputTopic"/>; each transaction
    /// writes its input partition's next offset there (partition = input partition, key = group.topic.partition), and
    /// a new owner claims the partition there and starts from it.
    /// </summary>
    public string OffsetsTopic { get; init; } = "detector-offsets";

    /// <summary>How often a node publishes its status to the cluster (Akka pub-sub; /status shows every member's).</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Throws naming the first invalid key, its value and what is allowed.</summary>
    public KafkaOptions Validate()
    {
        Check(!string.IsNullOrWhiteSpace(BootstrapServers), nameof(BootstrapServers), BootstrapServers, "host:port[,host:port…]");
        foreach (var (key, value) in new[]
        {
            (nameof(GroupId), GroupId), (nameof(InputTopic), InputTopic), (nameof(AlertsTopic), AlertsTopic),
            (nameof(DeadLetterTopic), DeadLetterTopic), (nameof(ModelsTopic), ModelsTopic), (nameof(ControlTopic), ControlTopic),
            (nameof(TrainerGroupId), TrainerGroupId), (nameof(OffsetsTopic), OffsetsTopic),
        })
        {
            Check(!string.IsNullOrWhiteSpace(value) && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'),
                key, value, "a non-empty name of letters, digits, '.', '_' and '-'");
        }
        Check(GroupId != TrainerGroupId, nameof(TrainerGroupId), TrainerGroupId, $"a group other than GroupId ({GroupId})");
        Check(Enum.IsDefined(Guarantee), nameof(Guarantee), Guarantee, "AtLeastOnce or ExactlyOnce");
        Check(CommitInterval > TimeSpan.Zero, nameof(CommitInterval), CommitInterval, "> 0");
        Check(MaxInFlightRecords >= 1, nameof(MaxInFlightRecords), MaxInFlightRecords, ">= 1");
        Check(RevokeDrainTimeout > TimeSpan.Zero, nameof(RevokeDrainTimeout), RevokeDrainTimeout, "> 0");
        Check(SessionTimeout >= TimeSpan.FromSeconds(1), nameof(SessionTimeout), SessionTimeout, ">= 1 s");
        Check(StatusInterval > TimeSpan.Zero, nameof(StatusInterval), StatusInterval, "> 0");
        return this;
    }

    private static void Check(bool ok, string key, object value, string allowed)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(key, value, $"Kafka:{key} = '{value}' is invalid; allowed: {allowed}");
        }
    }
}
