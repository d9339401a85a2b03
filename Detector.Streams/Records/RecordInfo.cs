namespace Detector.Streams.Records;

/// <summary>Everything about a decoded record except its features.</summary>
/// <param name="Id">Record id (from the id field, or partition:offset when the schema names none).</param>
/// <param name="EntityKey">Card, vehicle or host the record belongs to (per-entity thresholds, alert suppression).</param>
/// <param name="Timestamp">Event time from the timestamp field.</param>
/// <param name="Label">Ground truth when the schema names a label field: true = anomaly.</param>
public readonly record struct RecordInfo(string Id, string EntityKey, DateTimeOffset Timestamp, bool? Label);
