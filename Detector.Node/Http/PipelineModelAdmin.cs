using Detector.Models.Scoring;
using Detector.Node.Hosting;
using Detector.Streams.Pipeline;
using Detector.Streams.Training;

namespace Detector.Node.Http;

/// <summary>
/// The admin operations on a node's own pipeline and model history. In a cluster only the trainer retrains: the request
/// goes to the trainer singleton, wherever it runs (clusterRetrain asks it through the singleton proxy).
/// </summary>
public sealed class PipelineModelAdmin(DetectorPipeline pipeline, ModelHistory history, FeatureSchema schema,
    Func<CancellationToken, Task<RetrainFinished>>? clusterRetrain = null)
    : IModelAdmin, IDisposable
{
    /// <summary>Serialises rollbacks, so two at once cannot both restore the same version.</summary>
    private readonly SemaphoreSlim _rollback = new(1, 1);

    /// <inheritdoc />
    public FeatureSchema Schema => schema;

    /// <inheritdoc />
    public Task<RetrainFinished> RetrainAsync(CancellationToken cancellationToken) =>
        clusterRetrain is null ? pipeline.RetrainAsync(cancellationToken) : clusterRetrain(cancellationToken);

    /// <inheritdoc />
    public Task<ModelInstalled> InstallAsync(ModelSnapshot model, CancellationToken cancellationToken) => pipeline.InstallModelAsync(model, cancellationToken);

    /// <inheritdoc />
    public async Task<ModelRolledBack?> RollbackAsync(long? version, CancellationToken cancellationToken)
    {
        await _rollback.WaitAsync(cancellationToken);
        try
        {
            if (history.RollbackTarget(version) is not { } target)
            {
                return null;
            }
            history.ExpectRestore(target.Origin);
            var installed = await pipeline.InstallModelAsync(target.Model, cancellationToken);
            return new ModelRolledBack(installed.Version, target.Version);
        }
        finally
        {
            _rollback.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _rollback.Dispose();
}
