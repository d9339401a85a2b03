using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Kafka;

/// <summary>
/// A node's Kafka clients: its producer (alerts, dead letters, models), its input consumer and the models topic.
/// Membership, the trainer role and live model delivery are the Akka cluster's (Detector.Node/Cluster).
/// </summary>
public sealed class KafkaCluster : IDisposable
{
    private readonly KafkaOptions _options;
    private readonly ILogger _logger;
    private KafkaRecordSource? _source;

    /// <summary>Builds the clients for nodeId; nothing connects before use (the producer connects lazily).</summary>
    public KafkaCluster(KafkaOptions options, string nodeId, ILogger logger)
    {
        _options = options.Validate();
        _logger = logger;
        NodeId = nodeId;
        // Which librdkafka build the node runs on (the redist ships several; Debian 12 loads the centos8 one).
        _logger.LogInformation("node {Node}: Confluent.Kafka {Client} on librdkafka {Version} ({File})", nodeId,
            typeof(Confluent.Kafka.Library).Assembly.GetName().Version, KafkaLibrary.Version, Path.GetFileName(KafkaLibrary.Path));
        Producer = new KafkaProducerHost(options, nodeId, logger);
        Models = new ModelsTopic(options, Producer, nodeId, logger);
    }

    /// <summary>This node's id.</summary>
    public string NodeId { get; }

    /// <summary>The options.</summary>
    public KafkaOptions Options => _options;

    /// <summary>The shared idempotent producer.</summary>
    public KafkaProducerHost Producer { get; }

    /// <summary>The durable copy of the models.</summary>
    public ModelsTopic Models { get; }

    /// <summary>The input consumer, once created.</summary>
    public KafkaRecordSource? Source => _source;

    /// <summary>The consumer-group member that reads the input topic (one per node).</summary>
    public KafkaRecordSource CreateSource() =>
        _source is null ? _source = new KafkaRecordSource(_options, NodeId, _logger) : throw new InvalidOperationException("the node's Kafka source exists already");

    /// <summary>Alerts to the alerts topic.</summary>
    public IAlertSink CreateAlertSink() => KafkaSinks.Alerts(_options, Producer, () => _source);

    /// <summary>Dead letters to the dead-letter topic, with the Kafka partition they came from.</summary>
    public IDeadLetterSink CreateDeadLetterSink() => KafkaSinks.DeadLetters(_options, Producer, () => _source);

    /// <summary>Checks the topics before anything is read: the control topic must have one partition (the trainer lease).</summary>
    public void CheckTopics()
    {
        var control = Producer.PartitionCount(_options.ControlTopic, TimeSpan.FromSeconds(30));
        if (control != 1)
        {
            // Several partitions would give the lease several holders; none means the topic was never created.
            throw new InvalidOperationException($"Kafka:ControlTopic '{_options.ControlTopic}' has {control} partitions; the trainer lease needs a topic with exactly 1");
        }
        foreach (var (key, topic) in (ReadOnlySpan<(string, string)>)[(nameof(KafkaOptions.AlertsTopic), _options.AlertsTopic),
            (nameof(KafkaOptions.DeadLetterTopic), _options.DeadLetterTopic)])
        {
            // Loads the producer's metadata for the topics it writes before any record is read: otherwise the first
            // alerts wait for it, and their records with them (measured: ~0.9 s of a stalled pipeline at start).
            if (Producer.PartitionCount(topic, TimeSpan.FromSeconds(30)) == 0)
            {
                _logger.LogWarning("Kafka:{Key} '{Topic}' is not in the cluster's metadata: producing to it fails unless the brokers create topics", key, topic);
            }
        }
        KafkaSinks.CheckOffsetsTopic(_options, Producer);
    }

    /// <summary>Flushes and closes the producer. Dispose the source and pipeline first.</summary>
    public void Dispose() => Producer.Dispose();
}
