using System.Text;
using Confluent.Kafka;

namespace Detector.Streams.Kafka;

/// <summary>
/// Reads the offsets topic (ExactlyOnce): input partition p's records are on the offsets topic's partition p, written
/// only by p's owner, so once a new owner has fenced the previous one (InitTransactions, on a real broker) nothing is
/// open there and a read_committed reader's newest record is final.
/// </summary>
public static class OffsetsLog
{
    /// <summary>How many offsets back from the end to look first (each commit writes a record and a marker).</summary>
    private const long Window = 256;

    /// <summary>How long a read of one offsets partition may take.</summary>
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The newest record of input partition p (null when none was ever written).</summary>
    public static OffsetsRecord? ReadNewest(KafkaOptions options, int partition, string clientId)
    {
        using var consumer = Reader(options, clientId);
        var tp = new TopicPartition(options.OffsetsTopic, partition);
        var marks = consumer.QueryWatermarkOffsets(tp, ReadTimeout);
        if (marks.High.Value <= marks.Low.Value)
        {
            return null;
        }
        var found = Scan(consumer, tp, Math.Max(marks.Low.Value, marks.High.Value - Window), Key(options, partition)).LastOrDefault();
        return found is not null || marks.High.Value - marks.Low.Value <= Window ? found : Scan(consumer, tp, marks.Low.Value, Key(options, partition)).LastOrDefault();
    }

    /// <summary>The newest committed next offset of input partition p (−1 when none was ever committed).</summary>
    public static long ReadNext(KafkaOptions options, int partition, string clientId) => ReadNewest(options, partition, clientId)?.Next ?? -1;

    /// <summary>Every record of input partition p, oldest first (what a read_committed reader sees).</summary>
    public static IReadOnlyList<OffsetsRecord> ReadAll(KafkaOptions options, int partition, string clientId)
    {
        using var consumer = Reader(options, clientId);
        var tp = new TopicPartition(options.OffsetsTopic, partition);
        var marks = consumer.QueryWatermarkOffsets(tp, ReadTimeout);
        return marks.High.Value <= marks.Low.Value ? [] : Scan(consumer, tp, marks.Low.Value, Key(options, partition));
    }

    /// <summary>
    /// The key of input partition p's records: the group, the input topic and p (as the transactional.id), so groups
    /// or input topics sharing an offsets topic never read each other's positions.
    /// </summary>
    internal static byte[] Key(KafkaOptions options, int partition) => Encoding.UTF8.GetBytes(PartitionTransaction.TransactionalId(options, partition));

    /// <summary>Input partition p's record in a message of the offsets topic, or null when the message is another's.</summary>
    internal static OffsetsRecord? Parse(Message<byte[]?, byte[]> message, byte[] key) =>
        message.Key is { } k && k.AsSpan().SequenceEqual(key) && message.Value is { } v ? OffsetsRecord.Decode(v) : null;

    private static IConsumer<byte[]?, byte[]> Reader(KafkaOptions options, string clientId)
    {
        var config = KafkaClientConfigs.Reader(options, $"{clientId}-offsets");
        config.IsolationLevel = IsolationLevel.ReadCommitted;
        return new ConsumerBuilder<byte[]?, byte[]>(config).Build();
    }

    private static List<OffsetsRecord> Scan(IConsumer<byte[]?, byte[]> consumer, TopicPartition tp, long from, byte[] key)
    {
        consumer.Assign(new TopicPartitionOffset(tp, from));
        var found = new List<OffsetsRecord>();
        var deadline = DateTime.UtcNow + ReadTimeout;
        while (true)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"reading {tp.Topic}[{tp.Partition.Value}] to its end took over {ReadTimeout.TotalSeconds:F0} s");
            }
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }
            if (result.IsPartitionEOF)
            {
                return found;
            }
            if (Parse(result.Message, key) is { } record)
            {
                found.Add(record);
            }
        }
    }
}
