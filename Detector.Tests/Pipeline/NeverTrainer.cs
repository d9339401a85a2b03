using Detector.Streams.Training;

namespace Detector.Tests.Pipeline;

/// <summary>A cluster node that is not (and never becomes) the trainer.</summary>
internal sealed class NeverTrainer : ITrainerRole
{
    public bool IsTrainer => false;

    public Task WhenTrainerAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
}
