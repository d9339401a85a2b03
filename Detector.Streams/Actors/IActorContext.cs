namespace Detector.Streams.Actors;

/// <summary>
/// What an actor sees while it handles one message. The runtime reuses one context per actor, so it is valid only
/// until the <see cref="IActor.ReceiveAsync"/> call it was passed to completes: do not keep it.
/// </summary>
public interface IActorContext
{
    /// <summary>The message being handled: a user message or a lifecycle message.</summary>
    object Message { get; }

    /// <summary>The actor's own reference.</summary>
    ActorRef Self { get; }

    /// <summary>The actor that sent the message, or null when it came from outside an actor or from the runtime.</summary>
    ActorRef? Sender { get; }

    /// <summary>Cancelled when the actor is aborted: a stop whose caller gave up waiting, or a supervised stop.</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>The actor system's clock.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>
    /// Answers the current message: completes the caller's <see cref="ActorRef.AskAsync{TResponse}"/>, or else tells
    /// <see cref="Sender"/> without waiting (<see cref="ActorRef.TryTell(object)"/>). A reply that cannot be delivered
    /// (no sender, the sender's mailbox full or closed) is counted in <see cref="ActorRef.DeadLetters"/>; a reply that
    /// must not be lost should be sent with <c>Sender.TellAsync</c> instead.
    /// </summary>
    void Respond(object message);
}
