namespace Detector.Streams.Training;

/// <summary>How a pipeline takes part in a cluster's training: who trains, and where trained models go.</summary>
/// <param name="Role">Whether this node trains now.</param>
/// <param name="Publisher">Where trained models go (null: straight into the local registry).</param>
public sealed record ModelDistribution(ITrainerRole Role, IModelPublisher? Publisher)
{
    /// <summary>A node on its own: always trains, installs its own models.</summary>
    public static ModelDistribution Local { get; } = new(AlwaysTrainer.Instance, null);
}
