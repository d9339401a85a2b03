namespace Detector.Node.Evaluation;

/// <summary>
/// What one evaluated stream produced on its scored (test) records, in stream order: labels, verdicts, scores and the
/// thresholds they were judged against, event times, and the alerts raised.
/// </summary>
/// <param name="Name">The stream (file) name.</param>
/// <param name="Labels">Ground truth per record (true = anomaly).</param>
/// <param name="Flagged">Verdict per record under the chosen threshold.</param>
/// <param name="Scores">Anomaly score per record (NaN for a record that was dead-lettered).</param>
/// <param name="Thresholds">Threshold per record (+∞ while the rolling threshold warms up).</param>
/// <param name="ScoreScale">A positive per-stream scale (its training scores' quantile): scores of different models are
/// divided by it before they are pooled for AUC.</param>
/// <param name="TimesMs">Event time per record in Unix milliseconds, or null when the stream has no timestamps.</param>
/// <param name="Alerts">Alerts raised on the scored records.</param>
/// <param name="TrainRows">Records the model was trained on (not part of the arrays).</param>
/// <param name="DeadLetters">Records rejected by the decoder or the model.</param>
public sealed record StreamOutcome(
    string Name,
    bool[] Labels,
    bool[] Flagged,
    float[] Scores,
    float[] Thresholds,
    double ScoreScale,
    long[]? TimesMs,
    long Alerts,
    int TrainRows,
    long DeadLetters);
