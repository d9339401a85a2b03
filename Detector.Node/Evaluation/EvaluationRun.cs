using Detector.Models.Scoring;
using Detector.Streams.Alerts;

namespace Detector.Node.Evaluation;

/// <summary>One stream evaluated once: its outcome on the test records and how the model and threshold came about.</summary>
/// <param name="Outcome">Labels, verdicts, scores and alerts of the test records.</param>
/// <param name="Model">The model that scored them.</param>
/// <param name="TrainingQuantile">The q-quantile of the training records' scores.</param>
/// <param name="FixedThreshold">Factor × that quantile (the verdict threshold in <see cref="ThresholdMode.Training"/>).</param>
/// <param name="Seconds">Wall time of the run, training included.</param>
/// <param name="Alerts">The alerts the pipeline raised on the scored records, in order.</param>
public sealed record EvaluationRun(StreamOutcome Outcome, ModelSnapshot Model, double TrainingQuantile, float FixedThreshold, double Seconds,
    IReadOnlyList<Alert> Alerts);
