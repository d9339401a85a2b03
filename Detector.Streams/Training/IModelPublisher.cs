using Detector.Models.Scoring;

namespace Detector.Streams.Training;

/// <summary>
/// Where the trainer sends a model it has trained, in a cluster: to every node (including this one), which install
/// it through <c>DetectorPipeline.InstallModelAsync</c>. Without a publisher the trainer installs locally.
/// </summary>
public interface IModelPublisher
{
    /// <summary>Sends the model (already named and versioned); completes once it is durably published.</summary>
    Task PublishAsync(ModelSnapshot model, CancellationToken cancellationToken);
}
