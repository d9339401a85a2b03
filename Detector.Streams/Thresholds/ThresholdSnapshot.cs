namespace Detector.Streams.Thresholds;

/// <summary>A tracker's state for metrics. Each field is current when read; together they may be one score apart.</summary>
/// <param name="GlobalThreshold">The global threshold (+∞ while warming up).</param>
/// <param name="IsWarm">Whether the warm-up is over.</param>
/// <param name="WindowCount">Scores in the global window.</param>
/// <param name="EntityCount">Entities remembered.</param>
/// <param name="Evaluated">Scores evaluated.</param>
/// <param name="Anomalies">Scores above their threshold.</param>
/// <param name="Alerts">Anomalies that raised an alert (the rest were suppressed).</param>
public readonly record struct ThresholdSnapshot(
    float GlobalThreshold,
    bool IsWarm,
    int WindowCount,
    int EntityCount,
    long Evaluated,
    long Anomalies,
    long Alerts);
