namespace Detector.Streams.Kafka;

/// <summary>How <see cref="KafkaReplay"/> produces: how fast, and how far ahead of a consumer group it may run.</summary>
public sealed record ReplayOptions
{
    /// <summary>Target rate; 0 produces as fast as the brokers take it.</summary>
    public double RecordsPerSecond { get; init; }

    /// <summary>
    /// When set, the replay waits whenever this group's committed offset on a partition is more than
    /// <see cref="MaxLagPerPartition"/> records behind what was produced (keeps a mock cluster's retention from
    /// deleting records nobody has read yet).
    /// </summary>
    public string? ThrottleGroup { get; init; }

    /// <summary>Records a partition may run ahead of <see cref="ThrottleGroup"/>.</summary>
    public long MaxLagPerPartition { get; init; } = 20_000;

    /// <summary>Throws naming the first invalid key.</summary>
    public ReplayOptions Validate()
    {
        if (!(RecordsPerSecond >= 0 && double.IsFinite(RecordsPerSecond)))
        {
            throw new ArgumentOutOfRangeException(nameof(RecordsPerSecond), RecordsPerSecond, $"Replay:RecordsPerSecond = {RecordsPerSecond} is invalid; allowed: >= 0 (0 = unpaced)");
        }
        if (MaxLagPerPartition < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLagPerPartition), MaxLagPerPartition, $"Replay:MaxLagPerPartition = {MaxLagPerPartition} is invalid; allowed: >= 1");
        }
        return this;
    }
}
