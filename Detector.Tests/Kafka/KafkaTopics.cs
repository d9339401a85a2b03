using Confluent.Kafka;
using Detector.Streams.Kafka;

namespace Detector.Tests.Kafka;

/// <summary>Reads what landed on topics and what a group committed, for assertions.</summary>
internal static class KafkaTopics
{
    /// <summary>Produces perPartition one-byte messages to each of the topic's first partitions, and waits for the brokers.</summary>
    public static void ProduceToEach(KafkaOptions options, string topic, int partitions, int perPartition)
    {
        KafkaLibrary.EnsureLoaded();
        using var producer = new ProducerBuilder<Null, byte[]>(KafkaClientConfigs.Producer(options, $"test-producer-{Guid.NewGuid():N}")).Build();
        for (var i = 0; i < perPartition; i++)
        {
            for (var p = 0; p < partitions; p++)
            {
                producer.Produce(new TopicPartition(topic, p), new Message<Null, byte[]> { Value = [1] });
            }
        }
        Xunit.Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Every message of a topic's partitions, read from the beginning up to the high watermarks.</summary>
    public static List<ConsumeResult<byte[]?, byte[]>> ReadAll(KafkaOptions options, string topic, int partitions)
    {
        KafkaLibrary.EnsureLoaded();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(KafkaClientConfigs.Reader(options, $"test-reader-{Guid.NewGuid():N}")).Build();
        var tps = Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)).ToList();
        var ends = tps.ToDictionary(tp => tp, tp => consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High.Value);
        consumer.Assign(tps.Select(tp => new TopicPartitionOffset(tp, Offset.Beginning)));
        var results = new List<ConsumeResult<byte[]?, byte[]>>();
        var done = ends.Where(e => e.Value == 0).Select(e => e.Key).ToHashSet();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (done.Count < tps.Count && DateTime.UtcNow < deadline)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (r is null)
            {
                continue;
            }
            if (r.IsPartitionEOF)
            {
                if (r.Offset.Value >= ends[r.TopicPartition])
                {
                    done.Add(r.TopicPartition);
                }
                continue;
            }
            results.Add(r);
        }
        return results;
    }

    /// <summary>Each partition's high watermark (the offset after its last record).</summary>
    public static Dictionary<int, long> Ends(KafkaOptions options, string topic, int partitions)
    {
        KafkaLibrary.EnsureLoaded();
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfigs.Reader(options, $"test-ends-{Guid.NewGuid():N}")).Build();
        return Enumerable.Range(0, partitions).ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
    }

    /// <summary>The group's committed next offset per partition (−1 where none).</summary>
    public static Dictionary<int, long> Committed(KafkaOptions options, string group, string topic, int partitions)
    {
        KafkaLibrary.EnsureLoaded();
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfigs.Consumer(options, group, "test-committed")).Build();
        return consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(10))
            .ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
    }
}
