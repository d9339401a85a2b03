namespace Detector.Streams.Generators;

/// <summary>Fault injection: which sensor a fault takes, how far, and how each kind corrupts the readings.</summary>
public sealed partial class FleetTelemetryGenerator
{
    private const int NoFault = 0;
    private const int SpikeFault = 1;
    private const int DriftFault = 2;
    private const int StuckFault = 3;
    private const int BrokenFault = 4;

    private static ReadOnlySpan<int> SpikeSensors => [Rpm, EngineTemp, CoolantTemp, OilPressure, BatteryVoltage, FuelRate];

    private static ReadOnlySpan<int> DriftSensors => [EngineTemp, CoolantTemp, OilPressure, BatteryVoltage];

    // Each of these moves every reading in normal driving, so freezing it leaves it at odds with the sensors it tracks.
    private static ReadOnlySpan<int> StuckSensors => [Rpm, Speed, Throttle, OilPressure];

    private static ReadOnlySpan<int> BrokenSensors => [Rpm, CoolantTemp];

    /// <summary>Picks the kind (uniformly), the sensor, the span and the size of a fault starting at this reading.</summary>
    private void StartFault(ref Vehicle v, ReadOnlySpan<double> x)
    {
        v.Fault = 1 + _rng.NextInt(4);
        v.Step = 0;
        v.Length = v.Fault == SpikeFault
            ? 1 + _rng.NextInt(SpikeMaxReadings)
            : _options.FaultMinReadings + _rng.NextInt(_options.FaultMaxReadings - _options.FaultMinReadings + 1);
        var u = _rng.NextDouble();
        switch (v.Fault)
        {
            case SpikeFault:
                v.Sensor = SpikeSensors[_rng.NextInt(SpikeSensors.Length)];
                v.Magnitude = v.Sensor switch
                {
                    Rpm => 2_000 + 1_500 * u,
                    EngineTemp or CoolantTemp => 25 + 15 * u,
                    OilPressure => 30 + 20 * u,
                    BatteryVoltage => _rng.NextDouble() < 0.5 ? 1.5 + u : -(2.5 + 1.5 * u),
                    _ => 20 + 20 * u,
                };
                break;
            case DriftFault:
                v.Sensor = DriftSensors[_rng.NextInt(DriftSensors.Length)];
                v.Magnitude = v.Sensor switch
                {
                    EngineTemp or CoolantTemp => 25 + 15 * u,
                    OilPressure => -(20 + 10 * u),
                    _ => -(1.5 + u),
                };
                break;
            case StuckFault:
                v.Sensor = StuckSensors[_rng.NextInt(StuckSensors.Length)];
                v.Frozen = Math.Round(x[v.Sensor], Digits[v.Sensor]);
                break;
            default:
                v.Sensor = BrokenSensors[_rng.NextInt(BrokenSensors.Length)];
                // Far from where rpm should be: half or double the current rpm (always up from idle).
                v.FreeRpmMean = x[Rpm] > 1_200 && u < 0.5
                    ? Math.Max(700, x[Rpm] * (0.4 + 0.2 * _rng.NextDouble()))
                    : Math.Min(5_500, x[Rpm] * (1.6 + 0.4 * _rng.NextDouble()));
                v.FreeRpm = v.FreeRpmMean;
                break;
        }
    }

    /// <summary>Corrupts this reading per the vehicle's fault and counts it; the fault ends after its last reading.</summary>
    private void ApplyFault(ref Vehicle v, Span<double> x)
    {
        switch (v.Fault)
        {
            case SpikeFault:
                x[v.Sensor] += v.Magnitude;
                break;
            case DriftFault:
                x[v.Sensor] += v.Magnitude * (v.Step + 1) / v.Length;
                break;
            case StuckFault:
                x[v.Sensor] = v.Frozen;
                if (v.Sensor == Speed && v.Step > 0)
                {
                    x[Acceleration] = 0;
                }
                break;
            default:
                if (v.Sensor == Rpm)
                {
                    v.FreeRpm = Math.Clamp(v.FreeRpmMean + (v.FreeRpm - v.FreeRpmMean) * 0.7 + 250 * _rng.NextGaussian(), 700, 5_500);
                    x[Rpm] = v.FreeRpm;
                }
                else
                {
                    // Coolant reads as if the engine were cold: it no longer follows engine temperature at all.
                    x[CoolantTemp] = x[AmbientTemp] + 20 + 0.8 * _rng.NextGaussian();
                }
                break;
        }
        x[v.Sensor] = Math.Max(0, x[v.Sensor]);  // no faulted sensor (never acceleration or ambient) reads below zero
        if (++v.Step >= v.Length)
        {
            v.Fault = NoFault;
        }
    }
}
