using System.Buffers;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Detector.Streams.Alerts;

namespace Detector.Streams.Kafka;

/// <summary>
/// Alerts on the alerts topic as JSON, keyed by entity (one entity's alerts stay in order on one partition). A publish
/// completes when the brokers have acknowledged every alert in it; only then are its records acknowledged.
/// </summary>
public sealed class KafkaAlertSink(KafkaProducerHost producer, string topic) : IAlertSink
{
    /// <inheritdoc />
    public ValueTask PublishAsync(IReadOnlyList<Alert> alerts, CancellationToken cancellationToken) =>
        alerts.Count == 0 ? ValueTask.CompletedTask : new ValueTask(producer.ProduceAsync(topic, ToMessages(alerts)).WaitAsync(cancellationToken));

    /// <summary>The alerts as JSON messages keyed by entity.</summary>
    internal static Message<byte[]?, byte[]>[] ToMessages(IReadOnlyList<Alert> alerts)
    {
        var messages = new Message<byte[]?, byte[]>[alerts.Count];
        var buffer = new ArrayBufferWriter<byte>(512);
        for (var i = 0; i < alerts.Count; i++)
        {
            buffer.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(buffer))
            {
                alerts[i].WriteTo(w);
            }
            messages[i] = new Message<byte[]?, byte[]>
            {
                Key = Encoding.UTF8.GetBytes(alerts[i].EntityKey),
                Value = buffer.WrittenSpan.ToArray(),
            };
        }
        return messages;
    }
}
