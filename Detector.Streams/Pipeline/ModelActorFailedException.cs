namespace Detector.Streams.Pipeline;

/// <summary>
/// A model actor failed to score a batch (the inner exception says why). Thrown by the actor so its parent's strategy
/// restarts it (after a backoff); any other exception from a child stops the run.
/// </summary>
public sealed class ModelActorFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelActorFailedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ModelActorFailedException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure behind it.</summary>
    public ModelActorFailedException(string message, Exception inner) : base(message, inner)
    {
    }
}
