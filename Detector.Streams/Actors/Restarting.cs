namespace Detector.Streams.Actors;

/// <summary>
/// Delivered to the failed instance before the supervisor replaces it (after <paramref name="Backoff"/>, a fresh
/// instance from <see cref="Props.Producer"/> receives <see cref="Started"/>). The message whose handling failed is
/// not retried.
/// </summary>
/// <param name="Reason">The exception that made the actor fail.</param>
/// <param name="Backoff">How long the runtime waits before creating the new instance.</param>
public sealed record Restarting(Exception Reason, TimeSpan Backoff);
