using Detector.Streams.Generators;

namespace Detector.Tests.Generators;

/// <summary>The generator contract for fleet telemetry.</summary>
public sealed class FleetTelemetryGeneratorContractTests : RecordGeneratorContractTests
{
    protected override IReadOnlyList<string> AnomalyScenarios => FleetScenario.Anomalies;

    protected override string EntityField => "vehicle";

    // Faults span tens of readings, so the labelled count moves in large steps: check a higher rate over more readings.
    protected override int RateSampleSize => 200_000;

    protected override double RateUnderTest => 0.05;

    protected override IRecordGenerator Create(ulong seed) => new FleetTelemetryGenerator(seed);

    protected override IRecordGenerator CreateWithRate(ulong seed, double rate) =>
        new FleetTelemetryGenerator(new FleetGeneratorOptions { Seed = seed, AnomalyRate = rate });
}
