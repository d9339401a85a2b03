using Detector.Streams.Alerts;

namespace Detector.Streams.Kafka;

/// <summary>
/// ExactlyOnce alerts: each alert is handed to the transaction of the input partition its record came from
/// (<see cref="Alert.Position"/>), which produces it in the transaction that commits that record's offset, so it becomes
/// visible to read_committed readers exactly then. An alert of a lane that is no longer live is dropped: its record was
/// not committed here and is read again by the partition's owner.
/// </summary>
/// <param name="transactionOf">The open transaction of a lane (pipeline partition), while it is live.</param>
/// <param name="topic">The alerts topic.</param>
internal sealed class TransactionalAlertSink(Func<int, PartitionTransaction?> transactionOf, string topic) : IAlertSink
{
    /// <inheritdoc />
    public ValueTask PublishAsync(IReadOnlyList<Alert> alerts, CancellationToken cancellationToken)
    {
        var messages = KafkaAlertSink.ToMessages(alerts);
        for (var i = 0; i < alerts.Count; i++)
        {
            var position = alerts[i].Position
                ?? throw new InvalidOperationException($"alert of record '{alerts[i].RecordId}' has no source position: Kafka:Guarantee = ExactlyOnce writes each alert in its record's transaction");
            transactionOf(position.Partition)?.Add(position.Partition, position.Offset, topic, [messages[i]]);
        }
        return ValueTask.CompletedTask;
    }
}
