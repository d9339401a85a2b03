using Confluent.Kafka;

namespace Detector.Streams.Kafka;

/// <summary>
/// The node's own zombie fence (ExactlyOnce): follows the offsets partitions of the input partitions it owns, from just
/// after its claim, and reports a partition as taken when a record of a newer epoch (another owner's claim) appears
/// there. A real broker fences the old producer itself (the transactional.id's epoch); librdkafka's mock cluster does
/// not, and this closes the gap up to one fetch: a claim written after the last look is seen at the next commit.
/// Consume thread only.
/// </summary>
internal sealed class OffsetsWatch : IDisposable
{
    private readonly IConsumer<byte[]?, byte[]> _consumer;
    private readonly string _topic;
    private readonly KafkaOptions _options;

    /// <summary>The owned epoch of each watched input partition.</summary>
    private readonly Dictionary<int, long> _epochs = [];

    /// <summary>The newer claim seen on a watched partition: its epoch and owner.</summary>
    private readonly Dictionary<int, OffsetsRecord> _taken = [];

    /// <summary>Connects a read_committed reader of the offsets topic (assigned nothing yet).</summary>
    public OffsetsWatch(KafkaOptions options, string clientId)
    {
        _topic = options.OffsetsTopic;
        _options = options;
        var config = KafkaClientConfigs.Reader(options, $"{clientId}-offsets-watch");
        config.IsolationLevel = IsolationLevel.ReadCommitted;
        config.EnablePartitionEof = false;
        _consumer = new ConsumerBuilder<byte[]?, byte[]>(config).Build();
    }

    /// <summary>Starts watching input partition p, owned at epoch, after its claim record at claimOffset.</summary>
    public void Watch(int partition, long epoch, long claimOffset)
    {
        Forget(partition);
        _epochs[partition] = epoch;
        _consumer.IncrementalAssign([new TopicPartitionOffset(_topic, partition, claimOffset + 1)]);
    }

    /// <summary>Stops watching input partition p.</summary>
    public void Forget(int partition)
    {
        _taken.Remove(partition);
        if (_epochs.Remove(partition))
        {
            _consumer.IncrementalUnassign([new TopicPartition(_topic, partition)]);
        }
    }

    /// <summary>The newer owner's claim on input partition p, if one has been seen (reads what has arrived, without waiting).</summary>
    public OffsetsRecord? TakenOver(int partition)
    {
        while (_consumer.Consume(TimeSpan.Zero) is { } result)
        {
            var p = result.Partition.Value;
            if (_epochs.TryGetValue(p, out var epoch) && OffsetsLog.Parse(result.Message, OffsetsLog.Key(_options, p)) is { } record && record.Epoch > epoch)
            {
                _taken.TryAdd(p, record);
            }
        }
        return _taken.GetValueOrDefault(partition);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }
}
