using Detector.Streams.Generators;
using Xunit;

namespace Detector.Tests.Generators;

/// <summary>Fleet physics holds in normal driving, and each injected fault breaks it in the way it claims to.</summary>
public sealed class FleetTelemetryGeneratorTests
{
    private static readonly Lazy<List<ParsedRecord>> Stream = new(() =>
        ParsedRecord.Take(new FleetTelemetryGenerator(new FleetGeneratorOptions { Seed = 271, AnomalyRate = 0.05 }), 100_000));

    /// <summary>Maximal runs of one vehicle's consecutive readings in one fault on one sensor.</summary>
    private static List<List<ParsedRecord>> FaultSpans(string scenario)
    {
        var spans = new List<List<ParsedRecord>>();
        var open = new Dictionary<string, List<ParsedRecord>>(StringComparer.Ordinal);
        foreach (var record in Stream.Value)
        {
            var inFault = record.Scenario == scenario;
            if (open.TryGetValue(record.Entity, out var span) && (!inFault || span[0].FaultSensor != record.FaultSensor))
            {
                spans.Add(span);
                open.Remove(record.Entity);
            }
            if (inFault)
            {
                if (!open.TryGetValue(record.Entity, out span))
                {
                    open[record.Entity] = span = [];
                }
                span.Add(record);
            }
        }
        return spans;
    }

    private static double RelativeRpmError(ParsedRecord r) =>
        Math.Abs(r["rpm"] / FleetTelemetryGenerator.NominalRpm(r["speed"], (int)r["gear"]) - 1);

    [Fact]
    public void Next_NormalDriving_RpmFollowsSpeedAndGear()
    {
        var normal = Stream.Value.Where(r => r.Scenario == FleetScenario.Normal).ToList();

        Assert.True(normal.Average(RelativeRpmError) < 0.08);
        Assert.True(normal.Average(r => Math.Abs(r["engine_temp"] - 4 - r["coolant_temp"])) < 2);
        Assert.InRange(normal.Average(r => r["battery_voltage"]), 13.6, 14.0);
    }

    [Fact]
    public void Next_BrokenCorrelation_RpmDecoupledFromSpeed()
    {
        var broken = Stream.Value.Where(r => r.Scenario == FleetScenario.BrokenCorrelation && r.FaultSensor == "rpm").ToList();
        var normal = Stream.Value.Where(r => r.Scenario == FleetScenario.Normal).ToList();

        Assert.NotEmpty(broken);
        Assert.True(broken.Average(RelativeRpmError) > 5 * normal.Average(RelativeRpmError));
    }

    [Fact]
    public void Next_BrokenCorrelation_CoolantNoLongerTracksEngine()
    {
        var broken = Stream.Value.Where(r => r.Scenario == FleetScenario.BrokenCorrelation && r.FaultSensor == "coolant_temp").ToList();

        Assert.NotEmpty(broken);
        Assert.True(broken.Average(r => Math.Abs(r["engine_temp"] - r["coolant_temp"])) > 20);
    }

    [Fact]
    public void Next_StuckSensor_ZeroVarianceOverSpanWhileOthersMove()
    {
        var spans = FaultSpans(FleetScenario.StuckSensor);

        Assert.NotEmpty(spans);
        foreach (var span in spans)
        {
            var sensor = span[0].FaultSensor!;
            Assert.All(span, r => Assert.Equal(span[0][sensor], r[sensor]));
            var moving = sensor == "speed" ? "rpm" : "speed";
            Assert.True(span.Count < 2 || span.Select(r => r[moving]).Distinct().Count() > 1, $"{moving} froze with {sensor}");
        }
    }

    [Fact]
    public void Next_Spike_SensorJumpsFarOutsideNormalRange()
    {
        var normal = Stream.Value.Where(r => r.Scenario == FleetScenario.Normal).ToList();
        var spikes = Stream.Value.Where(r => r.Scenario == FleetScenario.Spike).ToList();

        Assert.NotEmpty(spikes);
        foreach (var spike in spikes)
        {
            var sensor = spike.FaultSensor!;
            var mean = normal.Average(r => r[sensor]);
            var sd = Math.Sqrt(normal.Average(r => (r[sensor] - mean) * (r[sensor] - mean)));
            Assert.True(Math.Abs(spike[sensor] - mean) > 2.5 * sd, $"{sensor} spike {spike[sensor]} vs mean {mean}, sd {sd}");
        }
    }

    [Fact]
    public void Next_Drift_DeviationGrowsOverTheSpan()
    {
        var spans = FaultSpans(FleetScenario.Drift);

        Assert.NotEmpty(spans);
        foreach (var span in spans.Where(s => s.Count >= 10 && s[0].FaultSensor is "engine_temp" or "battery_voltage"))
        {
            var sensor = span[0].FaultSensor!;
            var reference = sensor == "engine_temp" ? "coolant_temp" : null;
            double Deviation(ParsedRecord r) => reference is null ? Math.Abs(r[sensor] - 13.8) : Math.Abs(r[sensor] - r[reference] - 4);
            Assert.True(Deviation(span[^1]) > Deviation(span[0]) + 1, $"{sensor} did not drift over {span.Count} readings");
        }
    }

    [Fact]
    public void Next_FaultSpans_ConsecutiveReadingsOfOneVehicleAllLabelledForTheirLength()
    {
        var defaults = new FleetGeneratorOptions();

        foreach (var scenario in FleetScenario.Anomalies)
        {
            var spans = FaultSpans(scenario);
            Assert.NotEmpty(spans);
            foreach (var span in spans)
            {
                Assert.All(span, r => Assert.Equal(1, r.Label));
                Assert.All(span, r => Assert.Equal(span[0].Entity, r.Entity));
                if (scenario == FleetScenario.Spike)
                {
                    Assert.InRange(span.Count, 1, 3);
                }
                else
                {
                    Assert.InRange(span.Count, defaults.FaultMinReadings, defaults.FaultMaxReadings);
                }
            }
        }
    }

    [Fact]
    public void Next_EachVehicle_ReportsOncePerInterval()
    {
        var options = new FleetGeneratorOptions { Seed = 8, Vehicles = 25, Interval = TimeSpan.FromSeconds(5) };
        var generator = new FleetTelemetryGenerator(options);
        var last = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);

        for (var i = 0; i < 25 * 40; i++)
        {
            var record = generator.Next();
            if (last.TryGetValue(record.EntityKey, out var previous))
            {
                Assert.Equal(options.Interval, record.Timestamp - previous);
            }
            last[record.EntityKey] = record.Timestamp;
        }

        Assert.Equal(25, last.Count);
    }
}
