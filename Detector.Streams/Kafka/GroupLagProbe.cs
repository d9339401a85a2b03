using Confluent.Kafka;

namespace Detector.Streams.Kafka;

/// <summary>
/// Reads a consumer group's committed offsets (without joining it) to measure how far behind it is. With
/// <see cref="KafkaGuarantee.ExactlyOnce"/> the group's progress is its offsets topic (the group's own offsets come from
/// SendOffsetsToTransaction, which librdkafka's mock cluster never stores), followed by one read_committed reader.
/// </summary>
internal sealed class GroupLagProbe : IDisposable
{
    private readonly KafkaOptions _options;
    private readonly string _topic;
    private readonly IConsumer<Ignore, Ignore>? _group;
    private readonly IConsumer<byte[]?, byte[]>? _offsets;

    /// <summary>ExactlyOnce: the newest next offset seen on the offsets topic, by input partition (−1: none yet).</summary>
    private readonly Dictionary<int, long> _next = [];

    public GroupLagProbe(KafkaOptions options, string group, string topic)
    {
        _options = options with { GroupId = group, InputTopic = topic };
        _topic = topic;
        if (options.Guarantee == KafkaGuarantee.ExactlyOnce)
        {
            var config = KafkaClientConfigs.Reader(options, "detector-lag-probe");
            config.IsolationLevel = IsolationLevel.ReadCommitted;
            config.EnablePartitionEof = false;
            _offsets = new ConsumerBuilder<byte[]?, byte[]>(config).Build();
        }
        else
        {
            _group = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfigs.Consumer(options, group, "detector-lag-probe")).Build();
        }
    }

    /// <summary>The largest (produced high − committed) over the partitions produced to so far.</summary>
    public long MaxLag(long[] lastProduced)
    {
        var partitions = new List<TopicPartition>();
        for (var p = 0; p < lastProduced.Length; p++)
        {
            if (Volatile.Read(ref lastProduced[p]) >= 0)
            {
                partitions.Add(new TopicPartition(_topic, p));
            }
        }
        if (partitions.Count == 0)
        {
            return 0;
        }
        try
        {
            var committed = _offsets is null ? _group!.Committed(partitions, TimeSpan.FromSeconds(5)).Select(c => (c.Partition.Value, c.Offset.Value)) : FollowOffsets(partitions);
            return committed.Max(c => Volatile.Read(ref lastProduced[c.Item1]) + 1 - Math.Max(0, c.Item2));
        }
        catch (KafkaException)
        {
            return long.MaxValue; // unknown: wait and ask again
        }
    }

    /// <summary>Reads what has arrived on the offsets topic (input partition p's records are on its partition p).</summary>
    private IEnumerable<(int, long)> FollowOffsets(List<TopicPartition> partitions)
    {
        var added = partitions.Where(p => !_next.ContainsKey(p.Partition.Value)).ToList();
        if (added.Count > 0)
        {
            _offsets!.IncrementalAssign(added.Select(p => new TopicPartitionOffset(_options.OffsetsTopic, p.Partition, Offset.Beginning)));
            added.ForEach(p => _next[p.Partition.Value] = -1);
        }
        while (_offsets!.Consume(TimeSpan.Zero) is { } result)
        {
            var p = result.Partition.Value;
            if (OffsetsLog.Parse(result.Message, OffsetsLog.Key(_options, p)) is { } record && _next.ContainsKey(p))
            {
                _next[p] = record.Next;
            }
        }
        return partitions.Select(p => (p.Partition.Value, _next[p.Partition.Value]));
    }

    public void Dispose()
    {
        _group?.Dispose();
        _offsets?.Dispose();
    }
}
