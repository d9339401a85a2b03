namespace Detector.Streams.Actors;

/// <summary>
/// Receives per-message measurements for metrics. Called from every actor's loop, concurrently and never under a
/// lock: implementations must be thread-safe and cheap (an Interlocked add or a histogram record). Exceptions thrown
/// by an observer are swallowed so that metrics can never break an actor.
/// </summary>
public interface IActorObserver
{
    /// <summary>An actor of kind <paramref name="actorKind"/> handled a user message in <paramref name="elapsed"/> (success or failure).</summary>
    void OnMessageProcessed(string actorKind, TimeSpan elapsed);

    /// <summary>An actor's handler threw; <paramref name="directive"/> is what its supervisor decided.</summary>
    void OnFailure(string actorKind, string actorName, Exception exception, SupervisorDirective directive);
}
