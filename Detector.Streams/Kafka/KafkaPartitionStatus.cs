namespace Detector.Streams.Kafka;

/// <summary>One assigned input partition, as the node sees it.</summary>
/// <param name="Topic">Topic.</param>
/// <param name="Partition">Partition number.</param>
/// <param name="Acknowledged">Last offset fully handled (−1 before any).</param>
/// <param name="Committed">Next offset committed to the group (−1 before any commit in this assignment).</param>
/// <param name="HighWatermark">End of the partition when last fetched (−1 unknown).</param>
/// <param name="Lag">Records beyond what is acknowledged.</param>
public sealed record KafkaPartitionStatus(string Topic, int Partition, long Acknowledged, long Committed, long HighWatermark, long Lag);
