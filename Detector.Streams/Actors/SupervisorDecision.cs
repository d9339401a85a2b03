namespace Detector.Streams.Actors;

/// <summary>A supervisor's answer to one failure.</summary>
/// <param name="Directive">What to do with the actor.</param>
/// <param name="Backoff">For <see cref="SupervisorDirective.Restart"/>, how long to wait before the new instance starts.</param>
public readonly record struct SupervisorDecision(SupervisorDirective Directive, TimeSpan Backoff)
{
    /// <summary>Stop the actor.</summary>
    public static SupervisorDecision Stop => new(SupervisorDirective.Stop, TimeSpan.Zero);

    /// <summary>Escalate the failure.</summary>
    public static SupervisorDecision Escalate => new(SupervisorDirective.Escalate, TimeSpan.Zero);

    /// <summary>Restart after <paramref name="backoff"/>.</summary>
    public static SupervisorDecision Restart(TimeSpan backoff) => new(SupervisorDirective.Restart, backoff);
}
