using System.Text;
using Confluent.Kafka;
using Detector.Streams.Training;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Kafka;

/// <summary>
/// Trainer election with Kafka as the referee: every node joins <see cref="KafkaOptions.TrainerGroupId"/> on the
/// one-partition control topic, and the member the group assigns that partition is the trainer. Exactly one member
/// holds it; when that node dies, the group coordinator notices within the session timeout and assigns the partition
/// to another member. Commands on the control topic (e.g. "retrain") are therefore read by the trainer only.
/// The group's committed offset is the command cursor: a command is committed once handled, so one that arrives while
/// the role moves is read by the next trainer, not lost; the group's first trainer ever starts at the end (commands are
/// for whoever trains now, not history). Assignment is eager: any change in the group takes the role away for the
/// rebalance and gives it back (cooperative-sticky would keep it; librdkafka#4312, which made it unsafe on the old
/// client, is fixed in 2.16, but on the mock cluster cooperative rebalances took two rounds and twice as long: see the
/// README, "Rebalancing").
/// </summary>
public sealed partial class TrainerElection : ITrainerRole, IDisposable
{
    private readonly KafkaOptions _options;
    private readonly string _nodeId;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private TaskCompletionSource _becameTrainer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ClientThread _thread;
    private volatile bool _isTrainer;

    /// <summary>Takes part in the election as nodeId once started.</summary>
    public TrainerElection(KafkaOptions options, string nodeId, ILogger logger)
    {
        _options = options;
        _nodeId = nodeId;
        _logger = logger;
        _thread = new ClientThread("trainer-election", Run);
    }

    /// <summary>Raised (on the election thread) when this node gains or loses the trainer role.</summary>
    public event Action<bool>? RoleChanged;

    /// <summary>Raised (on the election thread, trainer only) with each command read from the control topic.</summary>
    public event Action<string>? CommandReceived;

    /// <inheritdoc />
    public bool IsTrainer => _isTrainer;

    /// <inheritdoc />
    public Task WhenTrainerAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _isTrainer ? Task.CompletedTask : _becameTrainer.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Joins the election.</summary>
    public void Start() => _thread.Start();

    /// <summary>Leaves the election (the role moves to another node at once).</summary>
    public void Dispose() => _thread.Dispose();

    private void Run(CancellationToken stop)
    {
        var config = KafkaClientConfigs.Consumer(_options, _options.TrainerGroupId, $"{_nodeId}-election");
        config.EnableAutoCommit = false; // a command is committed once handled
        config.AutoOffsetReset = AutoOffsetReset.Latest;
        config.QueuedMinMessages = 1_000;
        try
        {
            using var consumer = new ConsumerBuilder<Ignore, byte[]>(config)
                .SetPartitionsAssignedHandler((c, partitions) => Assigned(c, partitions))
                .SetPartitionsRevokedHandler((_, _) => SetTrainer(false))
                .SetPartitionsLostHandler((_, _) => SetTrainer(false))
                .SetErrorHandler((_, e) => LogClientError(e.Reason))
                .SetLogHandler((_, _) => { })
                .Build();
            consumer.Subscribe(_options.ControlTopic);
            while (!stop.IsCancellationRequested)
            {
                if (KafkaErrors.ConsumeOrNull(consumer, TimeSpan.FromMilliseconds(100), _logger) is { Message.Value: { } command } read)
                {
                    CommandReceived?.Invoke(Encoding.UTF8.GetString(command));
                    Commit(consumer, [new TopicPartitionOffset(_options.ControlTopic, read.Partition, read.Offset + 1)]); // results carry no topic name
                }
            }
            consumer.Close();
            SetTrainer(false);
        }
        catch (Exception e)
        {
            LogFailed(e);
            SetTrainer(false);
        }
    }

    /// <summary>Becomes the trainer; starts at the group's cursor, or (no cursor yet) at the end, which becomes the cursor.</summary>
    private List<TopicPartitionOffset> Assigned(IConsumer<Ignore, byte[]> consumer, List<TopicPartition> partitions)
    {
        if (partitions.Count == 0)
        {
            SetTrainer(false);
            return [];
        }
        List<TopicPartitionOffset> starts;
        try
        {
            starts = consumer.Committed(partitions, _options.SessionTimeout);
            var fresh = starts.Where(s => s.Offset == Offset.Unset)
                .Select(s => new TopicPartitionOffset(s.TopicPartition, consumer.QueryWatermarkOffsets(s.TopicPartition, _options.SessionTimeout).High))
                .ToList();
            Commit(consumer, fresh);
            starts = [.. starts.Where(s => s.Offset != Offset.Unset), .. fresh];
        }
        catch (KafkaException e)
        {
            LogCursorUnknown(e.Error.Reason);
            starts = [.. partitions.Select(p => new TopicPartitionOffset(p, Offset.Unset))];
        }
        SetTrainer(true);
        return starts;
    }

    private void Commit(IConsumer<Ignore, byte[]> consumer, List<TopicPartitionOffset> offsets)
    {
        if (offsets.Count == 0)
        {
            return;
        }
        try
        {
            consumer.Commit(offsets);
        }
        catch (KafkaException e)
        {
            LogCommitFailed(e.Error.Reason);
        }
    }

    private void SetTrainer(bool isTrainer)
    {
        lock (_lock)
        {
            if (_isTrainer == isTrainer)
            {
                return;
            }
            _isTrainer = isTrainer;
            if (isTrainer)
            {
                _becameTrainer.TrySetResult();
            }
            else
            {
                _becameTrainer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        LogRole(_nodeId, isTrainer ? "is now the trainer" : "is no longer the trainer");
        RoleChanged?.Invoke(isTrainer);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "node {Node} {Change}")]
    private partial void LogRole(string node, string change);

    [LoggerMessage(Level = LogLevel.Debug, Message = "trainer election client: {Reason}")]
    private partial void LogClientError(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "control topic: the command cursor is unknown ({Reason}); reading from the end")]
    private partial void LogCursorUnknown(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "control topic: committing the command cursor failed ({Reason}); the next trainer may repeat a command")]
    private partial void LogCommitFailed(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "trainer election failed; this node will not train")]
    private partial void LogFailed(Exception exception);
}
