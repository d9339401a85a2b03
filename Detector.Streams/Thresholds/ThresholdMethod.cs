namespace Detector.Streams.Thresholds;

/// <summary>How the global threshold is set.</summary>
public enum ThresholdMethod
{
    /// <summary>The rolling p-th percentile of recent scores: flags about (100 − p) % of records, whatever they hold.</summary>
    Percentile = 1,

    /// <summary>
    /// Peaks-over-threshold (<see cref="PotThreshold"/>): the score a normal record exceeds with probability
    /// <see cref="ThresholdOptions.RiskLevel"/>, from a generalized Pareto fit of the calibration scores' tail, updated
    /// on normal peaks only. Falls back to the percentile until it has enough calibration.
    /// </summary>
    Pot = 2,
}
