using System.Text;
using Confluent.Kafka;
using Detector.Models.Kernels;
using Detector.Models.Scoring;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Pipeline;
using Detector.Streams.Records;
using Detector.Streams.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detector.Streams.Kafka;

/// <summary>
/// One node of a cluster whose distributed engine is Kafka: it consumes its share of the input partitions (consumer
/// group), publishes alerts and dead letters to topics, takes part in the trainer election, installs the models the
/// trainer broadcasts (the current one before it scores anything), and publishes its status for every other node.
/// </summary>
public sealed class KafkaNode : IAsyncDisposable
{
    private readonly KafkaOptions _options;
    private readonly ILogger _logger;
    private readonly KafkaProducerHost _producer;
    private readonly ModelBroadcast _broadcast;
    private bool _started;
    private int _disposed;

    /// <summary>Builds the node's clients and pipeline; nothing connects before <see cref="RunAsync"/>.</summary>
    /// <param name="options">Kafka settings.</param>
    /// <param name="nodeId">This node's id (client ids, status key).</param>
    /// <param name="pipeline">Pipeline settings.</param>
    /// <param name="decoder">Decodes input records.</param>
    /// <param name="schema">The features.</param>
    /// <param name="logger">Logs.</param>
    /// <param name="alerts">Alert sink; null: the alerts topic.</param>
    /// <param name="deadLetters">Dead-letter sink; null: the dead-letter topic.</param>
    /// <param name="batchJudged">Sees every judged batch (audits, evaluation).</param>
    /// <param name="kernels">Compute backend of the model actors.</param>
    public KafkaNode(KafkaOptions options, string nodeId, PipelineOptions pipeline, IRecordDecoder decoder, FeatureSchema schema,
        ILogger? logger = null, IAlertSink? alerts = null, IDeadLetterSink? deadLetters = null,
        Action<RecordBatch>? batchJudged = null, IKernels<float>? kernels = null)
    {
        _options = options.Validate();
        _logger = logger ?? NullLogger.Instance;
        NodeId = nodeId;
        _producer = new KafkaProducerHost(options, nodeId, _logger);
        Source = new KafkaRecordSource(options, nodeId, _logger);
        Election = new TrainerElection(options, nodeId, _logger);
        var registry = new ModelRegistry();
        _broadcast = new ModelBroadcast(options, _producer, nodeId, registry.Name, schema, _logger);
        Pipeline = new DetectorPipeline(pipeline, decoder, schema, alerts ?? new KafkaAlertSink(_producer, options.AlertsTopic),
            deadLetters ?? new KafkaDeadLetterSink(_producer, options.DeadLetterTopic, Source.PartitionOf), registry,
            logger: _logger, batchJudged: batchJudged, kernels: kernels, distribution: new ModelDistribution(Election, _broadcast));
        Board = new NodeStatusBoard(options, _producer, nodeId, Status, _logger);
        Election.CommandReceived += OnCommand;
    }

    /// <summary>This node's id.</summary>
    public string NodeId { get; }

    /// <summary>The input consumer (assigned partitions, lag).</summary>
    public KafkaRecordSource Source { get; }

    /// <summary>The trainer role.</summary>
    public TrainerElection Election { get; }

    /// <summary>Every node's status.</summary>
    public NodeStatusBoard Board { get; }

    /// <summary>The node's pipeline.</summary>
    public DetectorPipeline Pipeline { get; }

    /// <summary>Artifacts on the models topic that failed verification.</summary>
    public long CorruptArtifacts => _broadcast.CorruptArtifacts;

    /// <summary>Ready to score: a model is installed and the group has assigned this node partitions.</summary>
    public bool IsReady => Pipeline.Registry.Current is not null && Source.IsAssigned;

    /// <summary>This node's status now.</summary>
    public NodeStatus Status() => new(NodeId, Election.IsTrainer ? "trainer" : "scorer",
        [.. Source.Partitions.Select(p => p.Partition)], Pipeline.Registry.Version, Source.Partitions.Sum(p => p.Lag),
        Pipeline.Metrics.Scored, DateTimeOffset.UtcNow);

    /// <summary>
    /// Runs the node until stop fires: joins the election, installs the current model, then consumes. On stop it
    /// stops consuming, drains what is in flight, commits, and returns.
    /// </summary>
    public async Task RunAsync(CancellationToken stop)
    {
        _started = true;
        Election.Start();
        _broadcast.Start(model => Pipeline.AcceptClusterModelAsync(model));
        Board.Start();
        await _broadcast.CaughtUp.WaitAsync(stop).ConfigureAwait(false);
        _logger.LogInformation("node {Node}: models caught up (model v{Version}); consuming {Topic}", NodeId, Pipeline.Registry.Version, _options.InputTopic);
        using var registration = stop.Register(Source.Stop);
        // Not cancelled by stop: stopping ends the source, and the pipeline drains what was read.
        await Pipeline.RunAsync(Source, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Asks the cluster's trainer, whichever node it is, to retrain now (a command on the control topic).</summary>
    public Task RequestRetrainAsync() =>
        _producer.ProduceAsync(_options.ControlTopic, [new Message<byte[]?, byte[]> { Value = Encoding.UTF8.GetBytes("retrain") }]);

    /// <summary>Commits, leaves the group and the election, reports "stopped", and closes the clients.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await Source.DisposeAsync().ConfigureAwait(false);
        if (_started)
        {
            Board.Dispose();
        }
        Election.Dispose();
        _broadcast.Dispose();
        await Pipeline.DisposeAsync().ConfigureAwait(false);
        _producer.Dispose();
    }

    private void OnCommand(string command)
    {
        if (command == "retrain")
        {
            _ = RetrainAsync();
        }
        else
        {
            _logger.LogWarning("unknown control command '{Command}' ignored", command);
        }
    }

    private async Task RetrainAsync()
    {
        try
        {
            var outcome = await Pipeline.RetrainAsync().ConfigureAwait(false);
            _logger.LogInformation("retrain requested through the control topic: {Outcome} (v{Version})", outcome.Outcome, outcome.Version);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogError(e, "requested retrain failed");
        }
    }
}
