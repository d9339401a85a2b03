using System.Text;
using Confluent.Kafka;
using Detector.Models.Artifacts;
using Detector.Models.Scoring;
using Detector.Streams.Training;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Kafka;

/// <summary>
/// Models on a compacted topic keyed by model name. The trainer publishes artifacts (checksummed); every node reads
/// the topic from the beginning, verifies each artifact and installs the newest version it has not seen. While
/// catching up at start, only the newest is installed, so a node that starts late gets the current model before it
/// scores anything.
/// </summary>
public sealed class ModelBroadcast : IModelPublisher, IDisposable
{
    private readonly KafkaOptions _options;
    private readonly KafkaProducerHost _producer;
    private readonly string _modelName;
    private readonly FeatureSchema _schema;
    private readonly ILogger _logger;
    private readonly TopicFollower _follower;
    private Func<ModelSnapshot, Task>? _install;
    private ModelSnapshot? _newestWhileCatchingUp;
    private long _newest;
    private long _corrupt;

    /// <summary>Broadcasts models named modelName with the given schema.</summary>
    public ModelBroadcast(KafkaOptions options, KafkaProducerHost producer, string nodeId, string modelName, FeatureSchema schema, ILogger logger)
    {
        _options = options;
        _producer = producer;
        _modelName = modelName;
        _schema = schema;
        _logger = logger;
        _follower = new TopicFollower(options, options.ModelsTopic, $"{nodeId}-models", OnMessage, OnCaughtUp, logger);
    }

    /// <summary>Artifacts on the topic that failed verification (bad checksum, wrong schema, not an artifact).</summary>
    public long CorruptArtifacts => Interlocked.Read(ref _corrupt);

    /// <summary>Completes once the models the topic held at start are read and the newest installed.</summary>
    public Task CaughtUp => _follower.CaughtUp;

    /// <summary>Starts following the topic; models newer than any seen are handed to install.</summary>
    public void Start(Func<ModelSnapshot, Task> install)
    {
        _install = install;
        _follower.Start();
    }

    /// <inheritdoc />
    public Task PublishAsync(ModelSnapshot model, CancellationToken cancellationToken)
    {
        var message = new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes(model.Name), Value = ModelArtifact.ToBytes(model) };
        _logger.LogInformation("publishing model {Name} v{Version} ({Bytes} bytes) to {Topic}", model.Name, model.Version, message.Value.Length, _options.ModelsTopic);
        return _producer.ProduceAsync(_options.ModelsTopic, [message]).WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose() => _follower.Dispose();

    private void OnMessage(ConsumeResult<byte[]?, byte[]> result)
    {
        if (result.Message.Key is not { } key || Encoding.UTF8.GetString(key) != _modelName || result.Message.Value is not { Length: > 0 } bytes)
        {
            return;
        }
        ModelSnapshot model;
        try
        {
            model = ModelArtifact.FromBytes(bytes, _schema);
        }
        catch (Exception e) when (e is ModelArtifactException or SchemaMismatchException)
        {
            Interlocked.Increment(ref _corrupt);
            _logger.LogError("model artifact at {Topic}[{Partition}]@{Offset} rejected: {Reason}", result.Topic, result.Partition.Value, result.Offset.Value, e.Message);
            return;
        }
        if (model.Version <= _newest)
        {
            return;
        }
        _newest = model.Version;
        if (!_follower.CaughtUp.IsCompleted)
        {
            _newestWhileCatchingUp = model;
            return;
        }
        Install(model);
    }

    private void OnCaughtUp()
    {
        if (_newestWhileCatchingUp is { } model)
        {
            _newestWhileCatchingUp = null;
            Install(model);
        }
    }

    /// <summary>Installs on the follower thread, waiting: models are installed one at a time, in version order.</summary>
    private void Install(ModelSnapshot model)
    {
        _logger.LogInformation("model {Name} v{Version} received (checksum verified)", model.Name, model.Version);
        _install?.Invoke(model).GetAwaiter().GetResult();
    }
}
