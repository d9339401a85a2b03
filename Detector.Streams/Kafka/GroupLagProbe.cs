using Confluent.Kafka;

namespace Detector.Streams.Kafka;

/// <summary>Reads a consumer group's committed offsets (without joining it) to measure how far behind it is.</summary>
internal sealed class GroupLagProbe(KafkaOptions options, string group, string topic) : IDisposable
{
    private readonly IConsumer<Ignore, Ignore> _consumer = new ConsumerBuilder<Ignore, Ignore>(
        KafkaClientConfigs.Consumer(options, group, "detector-lag-probe")).Build();

    /// <summary>The largest (produced high − committed) over the partitions produced to so far.</summary>
    public long MaxLag(long[] lastProduced)
    {
        var partitions = new List<TopicPartition>();
        for (var p = 0; p < lastProduced.Length; p++)
        {
            if (Volatile.Read(ref lastProduced[p]) >= 0)
            {
                partitions.Add(new TopicPartition(topic, p));
            }
        }
        if (partitions.Count == 0)
        {
            return 0;
        }
        try
        {
            var committed = _consumer.Committed(partitions, TimeSpan.FromSeconds(5));
            return committed.Max(c => Volatile.Read(ref lastProduced[c.Partition.Value]) + 1 - Math.Max(0, c.Offset.Value));
        }
        catch (KafkaException)
        {
            return long.MaxValue; // unknown: wait and ask again
        }
    }

    public void Dispose() => _consumer.Dispose();
}
