using Confluent.Kafka;
using Detector.Streams.DeadLetters;

namespace Detector.Streams.Kafka;

/// <summary>
/// ExactlyOnce dead letters: handed to the transaction of the record's input partition, which commits them with the
/// record's offset (same headers as
/// <see cref="KafkaDeadLetterSink"/>); one of a lane no longer live is dropped, as its record is read again by the owner.
/// </summary>
/// <param name="transactionOf">The open transaction of a lane (pipeline partition), while it is live.</param>
/// <param name="topic">The dead-letter topic.</param>
/// <param name="origin">Maps a pipeline partition to the Kafka partition it read.</param>
internal sealed class TransactionalDeadLetterSink(Func<int, PartitionTransaction?> transactionOf, string topic, Func<int, TopicPartition?> origin) : IDeadLetterSink
{
    /// <inheritdoc />
    public ValueTask WriteAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        transactionOf(letter.Position.Partition)?.Add(letter.Position.Partition, letter.Position.Offset, topic,
            [KafkaDeadLetterSink.ToMessage(letter, origin(letter.Position.Partition))]);
        return ValueTask.CompletedTask;
    }
}
