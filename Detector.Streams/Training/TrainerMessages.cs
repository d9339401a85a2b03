using Detector.Models.Scoring;

namespace Detector.Streams.Training;

// The trainer's messages: commands are imperative, replies past tense.

/// <summary>
/// Put this model live after recalibrating the thresholds on its scores of recent rows: under a new version (an upload
/// or rollback, AsNewVersion) or under its own (a model the cluster's trainer broadcast). Reply: <see cref="ModelInstalled"/>.
/// </summary>
internal sealed record InstallModel(ModelSnapshot Model, bool AsNewVersion);

/// <summary>Train the first model on these rows and publish it; reply with the model.</summary>
internal sealed record TrainInitialModel(float[] Rows, int Count);

/// <summary>Retrain now if there is enough new data (Force: whatever the amount, replying <see cref="RetrainFinished"/>).</summary>
internal sealed record Retrain(bool Force)
{
    /// <summary>A periodic or row-count retrain, told (no reply).</summary>
    public static readonly Retrain WhenDue = new(false);
}

/// <summary>Outcome of a retraining attempt: published, rejected, skipped or failed.</summary>
public sealed record RetrainFinished(string Outcome, long Version, double CandidateScore, double CurrentScore);
