namespace Detector.Streams.Actors;

/// <summary>
/// Decides what happens when an actor's handler throws. One strategy object may serve many actors (it sits in an
/// immutable <see cref="Props"/>), so per-actor state lives in the <see cref="RestartStatistics"/> passed in.
/// Implementations must be thread-safe and must not block.
/// </summary>
public interface ISupervisorStrategy
{
    /// <summary>Decides for one failure; <paramref name="statistics"/> already includes it.</summary>
    SupervisorDecision Decide(Exception reason, RestartStatistics statistics, DateTimeOffset now);
}
