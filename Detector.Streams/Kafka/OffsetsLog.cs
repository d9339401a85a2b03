using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Detector.Streams.Kafka;

/// <summary>
/// Reads the newest committed next offset of an input partition from the offsets topic (ExactlyOnce): partition p's
/// records are on the offsets topic's partition p, written only by p's transactional producer, so once the new owner
/// has fenced the previous one nothing is open there and a read_committed reader sees every committed record.
/// </summary>
internal static class OffsetsLog
{
    /// <summary>How many offsets back from the end to look first (each commit writes a record and a marker).</summary>
    private const long Window = 256;

    /// <summary>The newest committed next offset of input partition p (−1 when none was ever committed).</summary>
    public static long ReadNext(KafkaOptions options, int partition, string clientId)
    {
        var config = KafkaClientConfigs.Reader(options, $"{clientId}-offsets");
        config.IsolationLevel = IsolationLevel.ReadCommitted;
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(config).Build();
        var tp = new TopicPartition(options.OffsetsTopic, partition);
        var marks = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(30));
        if (marks.High.Value <= marks.Low.Value)
        {
            return -1;
        }
        var found = Scan(consumer, tp, Math.Max(marks.Low.Value, marks.High.Value - Window), partition);
        return found >= 0 || marks.High.Value - marks.Low.Value <= Window ? found : Scan(consumer, tp, marks.Low.Value, partition);
    }

    private static long Scan(IConsumer<byte[]?, byte[]> consumer, TopicPartition tp, long from, int partition)
    {
        var key = partition.ToString(CultureInfo.InvariantCulture);
        consumer.Assign(new TopicPartitionOffset(tp, from));
        var next = -1L;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"reading {tp.Topic}[{tp.Partition.Value}] to its end took over 30 s");
            }
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }
            if (result.IsPartitionEOF)
            {
                return next;
            }
            if (result.Message.Key is { } k && Encoding.UTF8.GetString(k) == key)
            {
                next = long.Parse(Encoding.UTF8.GetString(result.Message.Value), CultureInfo.InvariantCulture);
            }
        }
    }
}
