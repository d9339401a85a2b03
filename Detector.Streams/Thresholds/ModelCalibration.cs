using Detector.Models.Scoring;

namespace Detector.Streams.Thresholds;

/// <summary>Which scores seed the thresholds when a model goes live.</summary>
public static class ModelCalibration
{
    /// <summary>
    /// Seeds <paramref name="tracker"/> for the model that goes live as <paramref name="version"/>: with its calibration
    /// scores (rows held out when it was trained, carried in its artifact) when <paramref name="live"/> is that model
    /// and has them, so it judges from its first record; otherwise with <paramref name="recentScores"/>, its scores of
    /// recent rows sent ahead of the swap, when there are any; otherwise the thresholds are left as they are.
    /// </summary>
    public static void Apply(ThresholdTracker tracker, ModelSnapshot? live, long version, float[]? recentScores)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        if (live is { } model && model.Version == version && model.Metadata.CalibrationScores.Count > 0)
        {
            tracker.Calibrate(model.Metadata.CalibrationScores);
        }
        else if (recentScores is not null)
        {
            tracker.Recalibrate(recentScores);
        }
    }
}
