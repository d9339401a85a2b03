using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Detector.Streams.DeadLetters;

namespace Detector.Streams.Kafka;

/// <summary>
/// Dead letters on their topic: the original bytes untouched as the value, why in headers
/// (<c>detector-reason</c>, <c>detector-detail</c>) and where it came from (<c>detector-source-partition</c>,
/// <c>detector-source-offset</c>, plus <c>detector-source-topic</c> when the record came from Kafka).
/// </summary>
/// <param name="producer">The node's producer.</param>
/// <param name="topic">The dead-letter topic.</param>
/// <param name="origin">Maps a pipeline partition to the Kafka partition it read, when it did.</param>
public sealed class KafkaDeadLetterSink(KafkaProducerHost producer, string topic, Func<int, TopicPartition?>? origin = null) : IDeadLetterSink
{
    /// <summary>Header carrying the reason (a <see cref="DeadLetterReason"/> name).</summary>
    public const string ReasonHeader = "detector-reason";

    /// <summary>Header carrying the detail for a person.</summary>
    public const string DetailHeader = "detector-detail";

    /// <inheritdoc />
    public ValueTask WriteAsync(DeadLetter letter, CancellationToken cancellationToken) =>
        new(producer.ProduceAsync(topic, [ToMessage(letter, origin?.Invoke(letter.Position.Partition))]).WaitAsync(cancellationToken));

    /// <summary>The dead letter as a message: original bytes, reason and origin in headers.</summary>
    internal static Message<byte[]?, byte[]> ToMessage(DeadLetter letter, TopicPartition? source)
    {
        var headers = new Headers
        {
            { ReasonHeader, Encoding.UTF8.GetBytes(letter.Reason.ToString()) },
            { DetailHeader, Encoding.UTF8.GetBytes(letter.Detail) },
            { "detector-source-partition", Encoding.UTF8.GetBytes((source?.Partition.Value ?? letter.Position.Partition).ToString(CultureInfo.InvariantCulture)) },
            { "detector-source-offset", Encoding.UTF8.GetBytes(letter.Position.Offset.ToString(CultureInfo.InvariantCulture)) },
        };
        if (source is not null)
        {
            headers.Add("detector-source-topic", Encoding.UTF8.GetBytes(source.Topic));
        }
        return new Message<byte[]?, byte[]> { Value = letter.Payload.ToArray(), Headers = headers };
    }
}
