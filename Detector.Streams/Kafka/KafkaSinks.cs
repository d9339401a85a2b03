using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;

namespace Detector.Streams.Kafka;

/// <summary>The node's Kafka sinks for its <see cref="KafkaOptions.Guarantee"/>, and the check ExactlyOnce needs of the cluster.</summary>
public static class KafkaSinks
{
    /// <summary>Alerts to the alerts topic: through the node's producer, or (ExactlyOnce) into the transaction of each alert's input partition.</summary>
    public static IAlertSink Alerts(KafkaOptions options, KafkaProducerHost producer, Func<KafkaRecordSource?> source) =>
        options.Guarantee == KafkaGuarantee.ExactlyOnce
            ? new TransactionalAlertSink(lane => source()?.TransactionOf(lane), options.AlertsTopic)
            : new KafkaAlertSink(producer, options.AlertsTopic);

    /// <summary>Dead letters to the dead-letter topic, with the Kafka partition they came from (ExactlyOnce: in that partition's transaction).</summary>
    public static IDeadLetterSink DeadLetters(KafkaOptions options, KafkaProducerHost producer, Func<KafkaRecordSource?> source) =>
        options.Guarantee == KafkaGuarantee.ExactlyOnce
            ? new TransactionalDeadLetterSink(lane => source()?.TransactionOf(lane), options.DeadLetterTopic, lane => source()?.PartitionOf(lane))
            : new KafkaDeadLetterSink(producer, options.DeadLetterTopic, lane => source()?.PartitionOf(lane));

    /// <summary>
    /// ExactlyOnce: input partition p's offsets live on the offsets topic's partition p, written only by p's owner, so
    /// the offsets topic needs at least as many partitions as the input topic; refuses to start otherwise, naming both.
    /// </summary>
    public static void CheckOffsetsTopic(KafkaOptions options, KafkaProducerHost producer)
    {
        if (options.Guarantee != KafkaGuarantee.ExactlyOnce)
        {
            return;
        }
        var input = producer.PartitionCount(options.InputTopic, TimeSpan.FromSeconds(30));
        var offsets = producer.PartitionCount(options.OffsetsTopic, TimeSpan.FromSeconds(30));
        if (offsets < input)
        {
            throw new InvalidOperationException($"Kafka:OffsetsTopic '{options.OffsetsTopic}' has {offsets} partitions; Kafka:Guarantee = ExactlyOnce " +
                $"needs at least as many as Kafka:InputTopic '{options.InputTopic}' ({input})");
        }
    }
}
