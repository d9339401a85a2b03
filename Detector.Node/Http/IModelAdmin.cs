using Detector.Models.Scoring;
using Detector.Streams.Pipeline;
using Detector.Streams.Training;

namespace Detector.Node.Http;

/// <summary>The model operations behind the admin endpoints (retrain, upload, rollback).</summary>
public interface IModelAdmin
{
    /// <summary>The feature schema an uploaded model must have.</summary>
    FeatureSchema Schema { get; }

    /// <summary>Retrains now and reports the outcome (published, rejected, skipped or failed).</summary>
    Task<RetrainFinished> RetrainAsync(CancellationToken cancellationToken);

    /// <summary>Puts an uploaded model live under a new version; throws <see cref="InvalidOperationException"/> when no model is live yet.</summary>
    Task<ModelInstalled> InstallAsync(ModelSnapshot model, CancellationToken cancellationToken);

    /// <summary>Restores <paramref name="version"/> (or the model before the current one) under a new version; null when there is none to restore.</summary>
    Task<ModelRolledBack?> RollbackAsync(long? version, CancellationToken cancellationToken);
}
