namespace Detector.Streams.Thresholds;

/// <summary>Which threshold judged a score.</summary>
public enum ThresholdSource
{
    /// <summary>None yet: the tracker is warming up (or its time window is empty), so nothing is flagged.</summary>
    WarmingUp,

    /// <summary>The global threshold: the rolling percentile, or with Method Pot the global POT once fitted.</summary>
    Global,

    /// <summary>The entity's own threshold: its rolling percentile, or with Method Pot its own POT.</summary>
    Entity,
}
