namespace Detector.Streams.Sources;

/// <summary>One input partition as a source sees it, for /status and the consumer-lag gauge.</summary>
/// <param name="Topic">Topic (Kafka), or the file or generator the partition stands for.</param>
/// <param name="Partition">Partition number.</param>
/// <param name="CommittedOffset">Next offset a restart would read from (last acknowledged + 1); −1 when nothing is committed yet.</param>
/// <param name="Lag">Records behind: the partition's end minus the committed offset (Kafka), or records read and not yet acknowledged.</param>
public sealed record PartitionStatus(string Topic, int Partition, long CommittedOffset, long Lag);
