namespace Detector.Node.Evaluation;

/// <summary>Which verdicts an evaluation scores.</summary>
public enum ThresholdMode
{
    /// <summary>The pipeline's own: the rolling percentile of recent scores, as configured under Thresholds.</summary>
    Pipeline = 1,

    /// <summary>
    /// A fixed threshold from the training records' scores: factor × their q-quantile (the SKAB leaderboard's upper
    /// control limit; PyOD's contamination threshold).
    /// </summary>
    Training = 2,
}
