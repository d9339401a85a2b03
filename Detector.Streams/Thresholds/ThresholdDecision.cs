namespace Detector.Streams.Thresholds;

/// <summary>The verdict on one score.</summary>
/// <param name="Threshold">The threshold used (+∞ while warming up).</param>
/// <param name="Source">Where the threshold came from.</param>
/// <param name="IsAnomaly">Whether the score is strictly above the threshold.</param>
/// <param name="RaiseAlert">Whether this anomaly opens a new incident and should be alerted (false when suppressed).</param>
public readonly record struct ThresholdDecision(float Threshold, ThresholdSource Source, bool IsAnomaly, bool RaiseAlert)
{
    /// <summary>An anomaly folded into an incident already alerted.</summary>
    public bool Suppressed => IsAnomaly && !RaiseAlert;
}
