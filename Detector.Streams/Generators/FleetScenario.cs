namespace Detector.Streams.Generators;

/// <summary>The scenario names a <see cref="FleetTelemetryGenerator"/> writes in its "scenario" field.</summary>
public static class FleetScenario
{
    /// <summary>Normal driving.</summary>
    public const string Normal = "normal";

    /// <summary>One sensor jumps far off for 1 to 3 readings.</summary>
    public const string Spike = "spike";

    /// <summary>One sensor drifts steadily away from its true value over the fault span.</summary>
    public const string Drift = "drift";

    /// <summary>One sensor freezes at its value at fault onset while the others keep moving.</summary>
    public const string StuckSensor = "stuck_sensor";

    /// <summary>A physical relation breaks: rpm decoupled from speed and gear, or coolant no longer tracking engine temperature.</summary>
    public const string BrokenCorrelation = "broken_correlation";

    /// <summary>The injected fault scenarios, in a fixed order.</summary>
    public static IReadOnlyList<string> Anomalies { get; } = [Spike, Drift, StuckSensor, BrokenCorrelation];
}
