namespace Detector.Streams.Actors;

/// <summary>An actor's failure escalated to the system: the actor has stopped.</summary>
public sealed class ActorEscalatedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    public ActorEscalatedEventArgs(ActorRef actor, Exception exception)
    {
        Actor = actor;
        Exception = exception;
    }

    /// <summary>The actor that failed.</summary>
    public ActorRef Actor { get; }

    /// <summary>The exception its handler threw.</summary>
    public Exception Exception { get; }
}
