namespace Detector.Streams.Kafka;

/// <summary>What a replay did.</summary>
/// <param name="Produced">Records acknowledged by the brokers.</param>
/// <param name="Failed">Records whose delivery failed.</param>
/// <param name="Elapsed">Wall time, including waiting for the last acknowledgements.</param>
/// <param name="HighWatermarks">Per partition, the offset after the last record this replay delivered.</param>
public sealed record ReplayResult(long Produced, long Failed, TimeSpan Elapsed, IReadOnlyDictionary<int, long> HighWatermarks);
