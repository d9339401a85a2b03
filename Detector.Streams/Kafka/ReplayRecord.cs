namespace Detector.Streams.Kafka;

/// <summary>One message for <see cref="KafkaReplay"/>: an optional key (the entity) and the record bytes.</summary>
public readonly record struct ReplayRecord(byte[]? Key, byte[] Value);
