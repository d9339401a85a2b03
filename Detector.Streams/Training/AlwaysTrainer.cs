namespace Detector.Streams.Training;

/// <summary>The role of a node on its own: it always trains.</summary>
public sealed class AlwaysTrainer : ITrainerRole
{
    /// <summary>The one instance.</summary>
    public static AlwaysTrainer Instance { get; } = new();

    /// <inheritdoc />
    public bool IsTrainer => true;

    /// <inheritdoc />
    public Task WhenTrainerAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
