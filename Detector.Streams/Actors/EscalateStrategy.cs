namespace Detector.Streams.Actors;

/// <summary>
/// Escalates at the first failure: the actor stops, <see cref="ActorSystem.Escalated"/> is raised and
/// <see cref="ActorRef.Completion"/> faults with the exception.
/// </summary>
public sealed class EscalateStrategy : ISupervisorStrategy
{
    private EscalateStrategy()
    {
    }

    /// <summary>The only instance (the strategy has no state).</summary>
    public static EscalateStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public SupervisorDecision Decide(Exception reason, RestartStatistics statistics, DateTimeOffset now) => SupervisorDecision.Escalate;
}
