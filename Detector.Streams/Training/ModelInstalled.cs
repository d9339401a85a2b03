namespace Detector.Streams.Training;

/// <summary>What became of a model offered to <c>DetectorPipeline.InstallModelAsync</c>.</summary>
/// <param name="Outcome">"installed", "stale" (not newer than the current) or "rejected" (wrong schema).</param>
/// <param name="Version">The node's model version afterwards.</param>
public sealed record ModelInstalled(string Outcome, long Version);
