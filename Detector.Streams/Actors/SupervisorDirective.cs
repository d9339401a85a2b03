namespace Detector.Streams.Actors;

/// <summary>What a supervisor does with an actor whose handler threw.</summary>
public enum SupervisorDirective
{
    /// <summary>Replace the instance with a fresh one from the producer, after a backoff; the mailbox is kept.</summary>
    Restart,

    /// <summary>Stop the actor: queued messages become dead letters, <see cref="ActorRef.Completion"/> completes normally.</summary>
    Stop,

    /// <summary>
    /// Stop the actor as for <see cref="Stop"/>, raise <see cref="ActorSystem.Escalated"/> and fault
    /// <see cref="ActorRef.Completion"/> with the exception, so whoever owns the actor decides.
    /// </summary>
    Escalate,
}
