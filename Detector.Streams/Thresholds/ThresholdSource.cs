namespace Detector.Streams.Thresholds;

/// <summary>Which threshold judged a score.</summary>
public enum ThresholdSource
{
    /// <summary>None yet: the tracker is warming up (or its time window is empty), so nothing is flagged.</summary>
    WarmingUp,

    /// <summary>The global rolling percentile.</summary>
    Global,

    /// <summary>The entity's own rolling percentile.</summary>
    Entity,
}
