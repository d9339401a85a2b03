using System.Text;
using System.Text.Json;
using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Kafka;

/// <summary>
/// Every node's status, seen from every node: each node publishes its own on the compacted status topic (keyed by
/// node id) every <see cref="KafkaOptions.StatusInterval"/>, and reads everyone's from the beginning.
/// </summary>
public sealed class NodeStatusBoard : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly KafkaOptions _options;
    private readonly KafkaProducerHost _producer;
    private readonly Func<NodeStatus> _self;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TopicFollower _follower;
    private readonly ConcurrentDictionary<string, NodeStatus> _nodes = new(StringComparer.Ordinal);
    private ITimer? _timer;

    /// <summary>Publishes self() for nodeId once started.</summary>
    public NodeStatusBoard(KafkaOptions options, KafkaProducerHost producer, string nodeId, Func<NodeStatus> self, ILogger logger, TimeProvider? time = null)
    {
        _options = options;
        _producer = producer;
        _self = self;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _follower = new TopicFollower(options, options.StatusTopic, $"{nodeId}-status", OnMessage, () => { }, logger);
    }

    /// <summary>The latest status of every node that has reported (stopped nodes included, with role "stopped").</summary>
    public IReadOnlyList<NodeStatus> Nodes => [.. _nodes.Values.OrderBy(n => n.NodeId, StringComparer.Ordinal)];

    /// <summary>Starts publishing and reading.</summary>
    public void Start()
    {
        _follower.Start();
        _timer = _time.CreateTimer(_ => _ = PublishAsync(_self()), null, TimeSpan.Zero, _options.StatusInterval);
    }

    /// <summary>Publishes one status now.</summary>
    public async Task PublishAsync(NodeStatus status)
    {
        try
        {
            var message = new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes(status.NodeId), Value = JsonSerializer.SerializeToUtf8Bytes(status, Json) };
            await _producer.ProduceAsync(_options.StatusTopic, [message]).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            _logger.LogWarning("status of {Node} not published: {Reason}", status.NodeId, e.Error.Reason);
        }
    }

    /// <summary>Stops publishing (after a last status with role "stopped") and reading.</summary>
    public void Dispose()
    {
        _timer?.Dispose();
        if (_timer is not null)
        {
            PublishAsync(_self() with { Role = "stopped", Partitions = [] }).Wait(TimeSpan.FromSeconds(5));
        }
        _follower.Dispose();
    }

    private void OnMessage(ConsumeResult<byte[]?, byte[]> result)
    {
        if (result.Message.Value is { Length: > 0 } bytes && JsonSerializer.Deserialize<NodeStatus>(bytes, Json) is { } status)
        {
            _nodes[status.NodeId] = status;
        }
    }
}
