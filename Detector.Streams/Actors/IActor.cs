namespace Detector.Streams.Actors;

/// <summary>
/// An actor: private state changed only by the messages it receives, one at a time. Lifecycle events
/// (<see cref="Started"/>, <see cref="Restarting"/>, <see cref="Stopping"/>, <see cref="Stopped"/>) arrive through the
/// same method as ordinary messages.
/// </summary>
public interface IActor
{
    /// <summary>Handles <see cref="IActorContext.Message"/>; the next message is delivered only after the returned task completes.</summary>
    Task ReceiveAsync(IActorContext context);
}
