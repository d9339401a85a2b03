namespace Detector.Streams.Actors;

/// <summary>Stops the actor at its first failure.</summary>
public sealed class StopStrategy : ISupervisorStrategy
{
    private StopStrategy()
    {
    }

    /// <summary>The only instance (the strategy has no state).</summary>
    public static StopStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public SupervisorDecision Decide(Exception reason, RestartStatistics statistics, DateTimeOffset now) => SupervisorDecision.Stop;
}
