using Confluent.Kafka;
using Detector.Streams.Records;

namespace Detector.Streams.Kafka;

/// <summary>
/// Message values copied straight from librdkafka's buffer into a <see cref="PayloadArena"/> (Confluent.Kafka hands the
/// deserializer a span over native memory), instead of one new array per message as its byte[] deserializer does. Runs
/// on the consume thread, the arena's single writer. A null value becomes an empty payload, as before.
/// </summary>
internal sealed class PayloadDeserializer(PayloadArena arena) : IDeserializer<ReadOnlyMemory<byte>>
{
    /// <inheritdoc />
    public ReadOnlyMemory<byte> Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
        isNull ? ReadOnlyMemory<byte>.Empty : arena.Copy(data);
}
