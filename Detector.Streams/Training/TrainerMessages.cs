using Detector.Models.Scoring;

namespace Detector.Streams.Training;

/// <summary>Publish this model (uploaded or rolled back to) after recalibrating the thresholds on its scores of recent rows.</summary>
internal sealed record InstallModel(ModelSnapshot Model);

/// <summary>Reply to <see cref="InstallModel"/>: the version the model went live under.</summary>
public sealed record ModelInstalled(long Version);
