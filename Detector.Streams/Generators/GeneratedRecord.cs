namespace Detector.Streams.Generators;

/// <summary>One synthetic record with its ground truth.</summary>
/// <param name="Payload">The record as a UTF-8 JSON object, exactly as a producer would send it.</param>
/// <param name="EntityKey">Card or vehicle id.</param>
/// <param name="Timestamp">Event time.</param>
/// <param name="IsAnomaly">Ground truth: true for an injected fraud or fault.</param>
/// <param name="Scenario">Which injected scenario ("normal" for normal records).</param>
public sealed record GeneratedRecord(byte[] Payload, string EntityKey, DateTimeOffset Timestamp, bool IsAnomaly, string Scenario);
