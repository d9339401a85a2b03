namespace Detector.Streams.Generators;

/// <summary>
/// Settings of a <see cref="FleetTelemetryGenerator"/>. <see cref="Validate"/> fails naming the key, the value and the
/// allowed range, so a bad setting stops start-up rather than producing a strange stream.
/// </summary>
public sealed record FleetGeneratorOptions
{
    /// <summary>The most vehicles a fleet may have.</summary>
    public const int MaxVehicles = 1_000_000;

    /// <summary>The longest fault span, in readings.</summary>
    public const int MaxFaultReadings = 100_000;

    /// <summary>Seed of the xoshiro generator: the same seed gives the same byte stream.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Vehicles in the fleet; each emits one reading per <see cref="Interval"/>.</summary>
    public int Vehicles { get; init; } = 200;

    /// <summary>Simulated time between two readings of one vehicle, from 100 ms to 1 hour.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Fraction of readings that belong to an injected fault (labelled 1), in [0, 0.5].</summary>
    public double AnomalyRate { get; init; } = 0.01;

    /// <summary>Event time of the simulated clock's start.</summary>
    public DateTimeOffset Start { get; init; } = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Fewest readings in a drift, stuck-sensor or broken-correlation fault (spikes last 1 to 3 readings).</summary>
    public int FaultMinReadings { get; init; } = 10;

    /// <summary>Most readings in a drift, stuck-sensor or broken-correlation fault.</summary>
    public int FaultMaxReadings { get; init; } = 60;

    /// <summary>Throws <see cref="Detector.Models.Validation.InvalidOptionException"/> naming the first bad key, its value and the allowed range; returns this.</summary>
    public FleetGeneratorOptions Validate()
    {
        OptionsCheck.Check(nameof(Vehicles), Vehicles, Vehicles is >= 1 and <= MaxVehicles, $"[1, {MaxVehicles}]");
        OptionsCheck.Check(nameof(Interval), Interval,
            Interval >= TimeSpan.FromMilliseconds(100) && Interval <= TimeSpan.FromHours(1), "[00:00:00.1, 01:00:00]");
        OptionsCheck.Check(nameof(AnomalyRate), AnomalyRate, AnomalyRate is >= 0 and <= 0.5, "[0, 0.5]");
        OptionsCheck.Check(nameof(Start), Start, Start >= DateTimeOffset.UnixEpoch && Start.Year < 9000,
            "from 1970-01-01T00:00:00Z to year 9000");
        OptionsCheck.Check(nameof(FaultMinReadings), FaultMinReadings,
            FaultMinReadings is >= 2 and <= MaxFaultReadings, $"[2, {MaxFaultReadings}]");
        OptionsCheck.Check(nameof(FaultMaxReadings), FaultMaxReadings,
            FaultMaxReadings >= FaultMinReadings && FaultMaxReadings <= MaxFaultReadings,
            $"[FaultMinReadings = {FaultMinReadings}, {MaxFaultReadings}]");
        return this;
    }
}
