namespace Detector.Streams.Actors;

/// <summary>The single, reused context of one actor; only the actor's loop writes it.</summary>
internal sealed class ActorContext : IActorContext
{
    /// <summary>The actor this context belongs to.</summary>
    private readonly ActorRef _self;

    /// <summary>The message being handled, with its sender and (for an ask) its reply slot.</summary>
    private Envelope _envelope;

    public ActorContext(ActorRef self, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        _self = self;
        TimeProvider = timeProvider;
        CancellationToken = cancellationToken;
    }

    public object Message => _envelope.Message;

    public ActorRef Self => _self;

    public ActorRef? Sender => _envelope.Sender;

    public CancellationToken CancellationToken { get; }

    public TimeProvider TimeProvider { get; }

    public void Respond(object message) => _self.Reply(_envelope, message);

    /// <summary>Points the context at the next message.</summary>
    internal void Set(Envelope envelope) => _envelope = envelope;
}
