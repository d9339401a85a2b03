using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Kafka;

/// <summary>
/// Reads every partition of a topic from the beginning, for as long as it runs, on its own thread (the model and
/// status topics). <see cref="CaughtUp"/> completes once it has read up to the ends the partitions had when it started.
/// </summary>
internal sealed class TopicFollower : IDisposable
{
    private readonly KafkaOptions _options;
    private readonly string _topic;
    private readonly string _clientId;
    private readonly Action<ConsumeResult<byte[]?, byte[]>> _onMessage;
    private readonly Action _onCaughtUp;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ClientThread _thread;

    /// <summary>Follows topic; onMessage and onCaughtUp run on the follower's thread.</summary>
    public TopicFollower(KafkaOptions options, string topic, string clientId, Action<ConsumeResult<byte[]?, byte[]>> onMessage, Action onCaughtUp, ILogger logger)
    {
        _options = options;
        _topic = topic;
        _clientId = clientId;
        _onMessage = onMessage;
        _onCaughtUp = onCaughtUp;
        _logger = logger;
        _thread = new ClientThread($"follow-{topic}", Run);
    }

    /// <summary>Completes once the follower has read what the topic held when it started.</summary>
    public Task CaughtUp => _caughtUp.Task;

    /// <summary>Starts reading.</summary>
    public void Start() => _thread.Start();

    /// <summary>Stops reading.</summary>
    public void Dispose() => _thread.Dispose();

    private void Run(CancellationToken stop)
    {
        try
        {
            using var consumer = new ConsumerBuilder<byte[]?, byte[]>(KafkaClientConfigs.Reader(_options, _clientId))
                .SetErrorHandler((_, e) => _logger.LogDebug("kafka {Topic} reader: {Reason}", _topic, e.Reason))
                .SetLogHandler((_, _) => { })
                .Build();
            var partitions = WaitForPartitions(consumer, stop);
            if (partitions is null)
            {
                return;
            }
            var ends = partitions.ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(30)).High.Value);
            var pending = ends.Where(e => e.Value > 0).Select(e => e.Key).ToHashSet();
            consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
            CheckCaughtUp(pending);
            while (!stop.IsCancellationRequested)
            {
                var result = KafkaErrors.ConsumeOrNull(consumer, TimeSpan.FromMilliseconds(100), _logger);
                if (result is null)
                {
                    continue;
                }
                if (result.IsPartitionEOF)
                {
                    if (result.Offset.Value >= ends[result.TopicPartition])
                    {
                        pending.Remove(result.TopicPartition);
                        CheckCaughtUp(pending);
                    }
                    continue;
                }
                try
                {
                    _onMessage(result);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _logger.LogError(e, "kafka {Topic}: message at {Partition}@{Offset} could not be handled", _topic, result.Partition.Value, result.Offset.Value);
                }
            }
            consumer.Close();
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            _logger.LogError(e, "kafka {Topic} reader failed", _topic);
            _caughtUp.TrySetException(e);
        }
    }

    private void CheckCaughtUp(HashSet<TopicPartition> pending)
    {
        if (pending.Count == 0 && !_caughtUp.Task.IsCompleted)
        {
            _onCaughtUp();
            _caughtUp.TrySetResult();
        }
    }

    /// <summary>The topic's partitions, retrying (with a warning) while it does not exist yet.</summary>
    private List<TopicPartition>? WaitForPartitions(IConsumer<byte[]?, byte[]> consumer, CancellationToken stop)
    {
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var warned = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var topic = admin.GetMetadata(_topic, TimeSpan.FromSeconds(5)).Topics.Single();
                if (topic.Error.Code == ErrorCode.NoError && topic.Partitions.Count > 0)
                {
                    return topic.Partitions.Select(p => new TopicPartition(_topic, p.PartitionId)).ToList();
                }
                if (!warned)
                {
                    _logger.LogWarning("kafka topic {Topic} is not available yet ({Reason}); waiting for it", _topic, topic.Error.Reason);
                    warned = true;
                }
            }
            catch (KafkaException e)
            {
                _logger.LogWarning("kafka metadata for {Topic} failed: {Reason}", _topic, e.Error.Reason);
            }
            stop.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
        }
        return null;
    }
}
