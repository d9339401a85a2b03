using Detector.Models.Scoring;

namespace Detector.Streams.Training;

/// <summary>
/// Put this model live after recalibrating the thresholds on its scores of recent rows: under a new version (an upload
/// or rollback, AsNewVersion) or under its own (a model the cluster's trainer broadcast).
/// </summary>
internal sealed record InstallModel(ModelSnapshot Model, bool AsNewVersion);
