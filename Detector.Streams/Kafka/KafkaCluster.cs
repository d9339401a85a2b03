using System.Text;
using Confluent.Kafka;
using Detector.Models.Scoring;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Pipeline;
using Detector.Streams.Training;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Kafka;

/// <summary>
/// A node's membership of a cluster whose distributed engine is Kafka: its producer (alerts, dead letters, models,
/// status, commands), its input consumer, the trainer election, the model broadcast and the status board. The pipeline
/// is built with <see cref="Distribution"/>, then <see cref="StartAsync"/> joins and waits until the current model is
/// installed, so nothing is scored by a node that has not caught up.
/// </summary>
public sealed class KafkaCluster : IDisposable
{
    private readonly KafkaOptions _options;
    private readonly ILogger _logger;
    private readonly ModelBroadcast _broadcast;
    private KafkaRecordSource? _source;
    private DetectorPipeline? _pipeline;
    private bool _started;

    /// <summary>Builds the clients for nodeId; nothing connects before <see cref="StartAsync"/> (the producer connects lazily).</summary>
    public KafkaCluster(KafkaOptions options, string nodeId, string modelName, FeatureSchema schema, ILogger logger)
    {
        _options = options.Validate();
        _logger = logger;
        NodeId = nodeId;
        // Which librdkafka build the node runs on (the redist ships several; Debian 12 loads the centos8 one).
        _logger.LogInformation("node {Node}: Confluent.Kafka {Client} on librdkafka {Version} ({File})", nodeId,
            typeof(Confluent.Kafka.Library).Assembly.GetName().Version, KafkaLibrary.Version, Path.GetFileName(KafkaLibrary.Path));
        Producer = new KafkaProducerHost(options, nodeId, logger);
        Election = new TrainerElection(options, nodeId, logger);
        _broadcast = new ModelBroadcast(options, Producer, nodeId, modelName, schema, logger);
        Distribution = new ModelDistribution(Election, _broadcast);
        Board = new NodeStatusBoard(options, Producer, nodeId, Status, logger);
        Election.CommandReceived += OnCommand;
    }

    /// <summary>This node's id.</summary>
    public string NodeId { get; }

    /// <summary>The shared idempotent producer.</summary>
    public KafkaProducerHost Producer { get; }

    /// <summary>The trainer role.</summary>
    public TrainerElection Election { get; }

    /// <summary>Every node's status.</summary>
    public NodeStatusBoard Board { get; }

    /// <summary>Who trains and where models go: give this to the pipeline.</summary>
    public ModelDistribution Distribution { get; }

    /// <summary>The input consumer, once created.</summary>
    public KafkaRecordSource? Source => _source;

    /// <summary>Artifacts on the models topic that failed verification.</summary>
    public long CorruptArtifacts => _broadcast.CorruptArtifacts;

    /// <summary>The consumer-group member that reads the input topic (one per node).</summary>
    public KafkaRecordSource CreateSource() =>
        _source is null ? _source = new KafkaRecordSource(_options, NodeId, _logger) : throw new InvalidOperationException("the node's Kafka source exists already");

    /// <summary>Alerts to the alerts topic.</summary>
    public IAlertSink CreateAlertSink() => KafkaSinks.Alerts(_options, Producer, () => _source);

    /// <summary>Dead letters to the dead-letter topic, with the Kafka partition they came from.</summary>
    public IDeadLetterSink CreateDeadLetterSink() => KafkaSinks.DeadLetters(_options, Producer, () => _source);

    /// <summary>Joins the election, starts the status board, and installs the newest broadcast model into pipeline.</summary>
    public async Task StartAsync(DetectorPipeline pipeline, CancellationToken cancellationToken)
    {
        _pipeline = pipeline;
        var control = Producer.PartitionCount(_options.ControlTopic, TimeSpan.FromSeconds(30));
        if (control != 1)
        {
            // Several partitions would elect several trainers; none means the topic was never created.
            throw new InvalidOperationException($"Kafka:ControlTopic '{_options.ControlTopic}' has {control} partitions; the trainer election needs a topic with exactly 1");
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
        _started = true;
        Election.Start();
        _broadcast.Start(model => pipeline.AcceptClusterModelAsync(model));
        Board.Start();
        await _broadcast.CaughtUp.WaitAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("node {Node}: models caught up (model v{Version})", NodeId, pipeline.Registry.Version);
    }

    /// <summary>This node's status now.</summary>
    public NodeStatus Status() => new(NodeId, Election.IsTrainer ? "trainer" : "scorer", [.. (_source?.Partitions ?? []).Select(p => p.Partition)],
        _pipeline?.Registry.Version ?? 0, (_source?.Partitions ?? []).Sum(p => p.Lag), _pipeline?.Metrics.Scored ?? 0, DateTimeOffset.UtcNow);

    /// <summary>Asks the cluster's trainer, whichever node it is, to retrain now (a command on the control topic).</summary>
    public Task RequestRetrainAsync() =>
        Producer.ProduceAsync(_options.ControlTopic, [new Message<byte[]?, byte[]> { Value = Encoding.UTF8.GetBytes("retrain") }]);

    /// <summary>Reports "stopped", leaves the election, stops following, flushes the producer. Dispose the source and pipeline first.</summary>
    public void Dispose()
    {
        if (_started)
        {
            Board.Dispose();
        }
        Election.Dispose();
        _broadcast.Dispose();
        Producer.Dispose();
    }

    private void OnCommand(string command)
    {
        if (command == "retrain" && _pipeline is { } pipeline)
        {
            _ = RetrainAsync(pipeline);
        }
        else
        {
            _logger.LogWarning("control command '{Command}' ignored", command);
        }
    }

    private async Task RetrainAsync(DetectorPipeline pipeline)
    {
        try
        {
            var outcome = await pipeline.RetrainAsync().ConfigureAwait(false);
            _logger.LogInformation("retrain requested through the control topic: {Outcome} (v{Version})", outcome.Outcome, outcome.Version);
            if (outcome.Outcome == "not-trainer")
            {
                // The role moved (a rebalance of the trainer group) between reading the command and running it, and the
                // command's offset is already committed: put it back, so whoever trains now reads it instead of losing it.
                await RequestRetrainAsync().ConfigureAwait(false);
                _logger.LogInformation("retrain command put back on the control topic for the node that trains now");
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogError(e, "requested retrain failed");
        }
    }
}
