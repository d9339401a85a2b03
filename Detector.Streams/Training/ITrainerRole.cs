namespace Detector.Streams.Training;

/// <summary>Whether this node may train. A single node always may; in a cluster only the elected trainer does.</summary>
public interface ITrainerRole
{
    /// <summary>True while this node is the trainer.</summary>
    bool IsTrainer { get; }

    /// <summary>Completes when this node is (or becomes) the trainer.</summary>
    Task WhenTrainerAsync(CancellationToken cancellationToken);
}
