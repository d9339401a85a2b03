using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Detector.Models.Artifacts;
using Detector.Models.Scoring;
using Detector.Streams.Kafka;
using Detector.Streams.Pipeline;
using Detector.Streams.Training;
using Microsoft.Extensions.Logging;

namespace Detector.Node.Cluster;

/// <summary>
/// A node's part in the Akka cluster: its trainer role (held while the trainer singleton runs here under the Kafka
/// lease), where its trained models go (pub-sub to every node, and the compacted models topic), the inbox that checks
/// and installs models from the cluster, and the view of every member for /status. The pipeline is built with
/// <see cref="Distribution"/>; the host then <see cref="Bind"/>s the ActorSystem and <see cref="JoinAsync"/> waits
/// until this node is a member and has installed the newest stored model.
/// </summary>
public sealed partial class ClusterNode : IModelPublisher
{
    private readonly KafkaCluster _kafka;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DetectorPipeline? _pipeline;
    private ActorSystem? _system;
    private IActorRef? _trainer;
    private long _lastResync = long.MinValue / 2;
    private int _resyncing;

    /// <summary>Builds the node's cluster part; nothing runs before the host binds the ActorSystem.</summary>
    public ClusterNode(ClusterOptions options, KafkaCluster kafka, string modelName, FeatureSchema schema, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(loggers);
        Options = options;
        _kafka = kafka;
        _logger = loggers.CreateLogger("Detector.Cluster");
        Inbox = new ModelInbox(modelName, schema, options.MaxModelBytes, _logger);
        Distribution = new ModelDistribution(Role, this);
    }

    /// <summary>The Cluster section.</summary>
    public ClusterOptions Options { get; }

    /// <summary>This node's id.</summary>
    public string NodeId => _kafka.NodeId;

    /// <summary>Whether this node trains now.</summary>
    public ClusterTrainerRole Role { get; } = new();

    /// <summary>Models from the cluster, checked and installed.</summary>
    public ModelInbox Inbox { get; }

    /// <summary>Who trains and where models go: give this to the pipeline.</summary>
    public ModelDistribution Distribution { get; }

    /// <summary>The latest status each member gossiped, by Akka address.</summary>
    public ConcurrentDictionary<string, NodeStatus> Statuses { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether this node is an Up member.</summary>
    public bool IsUp => _up.Task.IsCompleted;

    /// <summary>The version of the model this node runs.</summary>
    public long ModelVersion => _pipeline?.Registry.Version ?? 0;

    /// <summary>Sets the pipeline models are installed into and trained by.</summary>
    public void Attach(DetectorPipeline pipeline)
    {
        _pipeline = pipeline;
        Inbox.Attach(model => pipeline.AcceptClusterModelAsync(model));
    }

    /// <summary>Sets the ActorSystem and the trainer singleton's proxy (the host calls this once the system runs).</summary>
    public void Bind(ActorSystem system, IActorRef trainerProxy)
    {
        _system = system;
        _trainer = trainerProxy;
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => _up.TrySetResult());
    }

    /// <summary>Waits until this node is an Up member (logging while the seeds do not answer), then installs the newest stored model.</summary>
    public async Task JoinAsync(CancellationToken cancellationToken)
    {
        _kafka.CheckTopics();
        while (!_up.Task.IsCompleted)
        {
            try
            {
                await _up.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                LogNotJoined(NodeId, JoinProblem() ?? "joining");
            }
        }
        LogJoined(NodeId, _system!.Name, Akka.Cluster.Cluster.Get(_system).SelfAddress.ToString());
        var stored = await _kafka.Models.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        await Inbox.CatchUpAsync(stored.Select(s => new ModelPublished(s.Name, 0, s.Epoch, s.Position, s.Artifact)), cancellationToken).ConfigureAwait(false);
        LogCaughtUp(NodeId, ModelVersion, Inbox.InstalledEpoch);
    }

    /// <summary>
    /// Reads the models topic again and installs the newest model it holds (a member gossiped a newer model than this
    /// node runs: a pub-sub delivery was missed). At most one at a time, and not within 5 s of the last.
    /// </summary>
    public void ResyncModels()
    {
        var now = Environment.TickCount64;
        if (!IsUp || now - Interlocked.Read(ref _lastResync) < 5_000 || Interlocked.CompareExchange(ref _resyncing, 1, 0) != 0)
        {
            return;
        }
        Interlocked.Exchange(ref _lastResync, now);
        _ = Task.Run(async () =>
        {
            try
            {
                LogResync(NodeId, ModelVersion);
                var stored = await _kafka.Models.ReadAllAsync(CancellationToken.None).ConfigureAwait(false);
                await Inbox.CatchUpAsync(stored.Select(s => new ModelPublished(s.Name, 0, s.Epoch, s.Position, s.Artifact))).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or Confluent.Kafka.KafkaException)
            {
                _logger.LogWarning(e, "re-reading the models topic failed");
            }
            finally
            {
                Interlocked.Exchange(ref _resyncing, 0);
            }
        });
    }

    /// <summary>Why this node is not a member yet, or null when it is.</summary>
    public string? JoinProblem() => IsUp ? null
        : Options.SeedNodes.Count == 0 && Options.Discovery == ClusterDiscovery.Config ? "forming a cluster of its own"
        : $"not a member yet: no seed node has let it join ({string.Join(", ", Options.SeedAddresses)}); retrying";

    /// <inheritdoc />
    public async Task PublishAsync(ModelSnapshot model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        var epoch = Role.Epoch;
        if (epoch == 0 || !Role.IsTrainer)
        {
            // The lease lapsed while this model trained (a paused process): its successor's models win.
            throw new InvalidOperationException($"model v{model.Version} not published: node {NodeId} no longer holds the trainer lease");
        }
        var artifact = ModelArtifact.ToBytes(model);
        await _kafka.Models.WriteAsync(model.Name, artifact, epoch, cancellationToken).ConfigureAwait(false);
        Publish(new ModelPublished(model.Name, model.Version, epoch, NodeId, artifact));
    }

    /// <summary>Publishes the model this node runs again (a new trainer does: publishes right after a takeover were seen lost).</summary>
    public void RepublishCurrent()
    {
        if (_pipeline?.Registry.Current is { } model && Inbox.InstalledEpoch > 0)
        {
            Publish(new ModelPublished(model.Name, model.Version, Inbox.InstalledEpoch, NodeId, ModelArtifact.ToBytes(model)));
        }
    }

    /// <summary>Retrains this node's pipeline (the singleton calls this on the trainer's node).</summary>
    public Task<RetrainFinished> RetrainLocallyAsync() =>
        _pipeline?.RetrainAsync() ?? Task.FromResult(new RetrainFinished("no-pipeline", 0, double.NaN, double.NaN));

    /// <summary>Asks the trainer, on whichever node it runs, to retrain (through the singleton proxy).</summary>
    public Task<RetrainFinished> RetrainAsync(CancellationToken cancellationToken) =>
        _trainer is null ? Task.FromResult(new RetrainFinished("not-joined", ModelVersion, double.NaN, double.NaN))
            : _trainer.Ask<RetrainFinished>(new RequestRetrain(NodeId), TimeSpan.FromMinutes(10), cancellationToken);

    /// <summary>This node's status now.</summary>
    public NodeStatus Status()
    {
        var partitions = _kafka.Source?.Partitions ?? [];
        return new NodeStatus(NodeId, _system is null ? "" : Akka.Cluster.Cluster.Get(_system).SelfAddress.ToString(), Role.IsTrainer ? "trainer" : "scorer",
            [.. partitions.Select(p => p.Partition)], ModelVersion, Inbox.InstalledEpoch, partitions.Sum(p => p.Lag), _pipeline?.Metrics.Scored ?? 0, DateTimeOffset.UtcNow);
    }

    /// <summary>Every member Akka knows, with its reachability and the latest status it gossiped, for /status.</summary>
    public IReadOnlyList<object> Members()
    {
        if (_system is null)
        {
            return [];
        }
        var state = Akka.Cluster.Cluster.Get(_system).State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        return [.. state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).Select(m =>
        {
            var status = Statuses.GetValueOrDefault(m.Address.ToString());
            return (object)new
            {
                address = m.Address.ToString(),
                nodeId = status?.NodeId,
                status = m.Status.ToString(),
                reachable = !unreachable.Contains(m.Address),
                leader = state.Leader == m.Address,
                role = status?.Role,
                partitions = status?.Partitions,
                lag = status?.Lag,
                modelVersion = status?.ModelVersion,
                modelEpoch = status?.ModelEpoch,
                scored = status?.Scored,
                reportedAt = status?.At,
            };
        })];
    }

    private void Publish(ModelPublished message)
    {
        if (_system is not null)
        {
            DistributedPubSub.Get(_system).Mediator.Tell(new Publish(ClusterTopics.Models, message));
            LogPublished(message.Name, message.Version, message.Epoch, message.Artifact.Length);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "publishing model {Name} v{Version} epoch {Epoch} ({Bytes} bytes) to every node")]
    private partial void LogPublished(string name, long version, long epoch, int bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {Node} (model v{Version}) is behind a member: re-reading the models topic")]
    private partial void LogResync(string node, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "node {Node} is not in the cluster: {Reason}")]
    private partial void LogNotJoined(string node, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {Node} joined cluster {System} as {Address}")]
    private partial void LogJoined(string node, string system, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {Node}: models caught up (model v{Version}, epoch {Epoch})")]
    private partial void LogCaughtUp(string node, long version, long epoch);
}
