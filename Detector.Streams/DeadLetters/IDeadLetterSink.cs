namespace Detector.Streams.DeadLetters;

/// <summary>Where bad records go. A completed write means the record is safely kept (it may then be acknowledged).</summary>
public interface IDeadLetterSink
{
    /// <summary>Keeps one dead letter; completes when it is durable.</summary>
    ValueTask WriteAsync(DeadLetter letter, CancellationToken cancellationToken);
}
