using Detector.Streams.Alerts;

namespace Detector.Streams.Kafka;

/// <summary>
/// ExactlyOnce alerts: each alert goes into the open transaction of the input partition its record came from
/// (<see cref="Alert.Position"/>), so it becomes visible to read_committed readers exactly when that record's offset
/// is committed. An alert of a lane that is no longer live is dropped: its record was not committed here and is read
/// again by the partition's owner.
/// </summary>
/// <param name="transactionOf">The open transaction of a lane (pipeline partition), while it is live.</param>
/// <param name="topic">The alerts topic.</param>
internal sealed class TransactionalAlertSink(Func<int, PartitionTransaction?> transactionOf, string topic) : IAlertSink
{
    /// <inheritdoc />
    public ValueTask PublishAsync(IReadOnlyList<Alert> alerts, CancellationToken cancellationToken)
    {
        if (alerts.Count == 0)
        {
            return ValueTask.CompletedTask;
        }
        var messages = KafkaAlertSink.ToMessages(alerts);
        var writes = new List<Task>();
        foreach (var lane in Enumerable.Range(0, alerts.Count).GroupBy(i => LaneOf(alerts[i])))
        {
            if (transactionOf(lane.Key) is { } transaction)
            {
                writes.Add(transaction.ProduceAsync(topic, [.. lane.Select(i => messages[i])]));
            }
        }
        return new ValueTask(Task.WhenAll(writes).WaitAsync(cancellationToken));
    }

    private static int LaneOf(Alert alert) => alert.Position?.Partition
        ?? throw new InvalidOperationException($"alert of record '{alert.RecordId}' has no source position: Kafka:Guarantee = ExactlyOnce writes each alert in its record's transaction");
}
