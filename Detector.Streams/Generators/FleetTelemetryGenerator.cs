using Detector.Models.Numerics;
using Detector.Streams.Decoding;

namespace Detector.Streams.Generators;

/// <summary>
/// Fleet telemetry ("fleet"): vehicles that each report every <see cref="FleetGeneratorOptions.Interval"/> of simulated
/// time, in event-time order, with physically coupled sensors: speed follows an Ornstein–Uhlenbeck process around the
/// vehicle's cruising speed; gear follows speed, rpm is speed times the gear ratio (idle at standstill), throttle follows
/// speed and acceleration, engine temperature rises with load with slow first-order dynamics, coolant tracks it with a
/// lag, oil pressure follows rpm, fuel rate throttle times rpm, battery voltage sits near 13.8 V, and ambient temperature
/// follows the day. Sensor faults (spike, drift, stuck sensor, broken correlation) are injected at
/// <see cref="FleetGeneratorOptions.AnomalyRate"/>, each over a span of readings that are all labelled; they corrupt the
/// readings only, never the simulated vehicle. Not thread-safe: one generator per producer.
/// </summary>
public sealed partial class FleetTelemetryGenerator : IRecordGenerator
{
    private const double SpeedTheta = 1.0 / 120;   // 1/s: speed forgets its past over about two minutes
    private const double EngineTau = 240;          // s: engine temperature's time constant
    private const double CoolantTau = 60;          // s: coolant's lag behind the engine
    private const double IdleRpm = 800;
    private const int SpikeMaxReadings = 3;

    private readonly FleetGeneratorOptions _options;
    private readonly Vehicle[] _vehicles;
    private readonly int[] _order;                 // vehicles by their offset within an interval: the emission order
    private readonly long _startMs;
    private readonly long _intervalMs;
    private readonly double _dt;
    private readonly double _speedDecay;
    private readonly double _engineGain;
    private readonly double _coolantGain;
    private readonly double _incidentProbability;
    private readonly RecordJsonWriter _json;
    private Rng _rng;
    private long _sequence;

    /// <summary>A generator with the default options and <paramref name="seed"/>.</summary>
    public FleetTelemetryGenerator(ulong seed)
        : this(new FleetGeneratorOptions { Seed = seed })
    {
    }

    /// <summary>A generator for validated <paramref name="options"/>; the fleet is drawn from the seed here.</summary>
    public FleetTelemetryGenerator(FleetGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
        _rng = new Rng(options.Seed);
        _startMs = options.Start.ToUnixTimeMilliseconds();
        _intervalMs = (long)options.Interval.TotalMilliseconds;
        _dt = _intervalMs / 1000.0;
        _speedDecay = Math.Exp(-SpeedTheta * _dt);
        _engineGain = 1 - Math.Exp(-_dt / EngineTau);
        _coolantGain = 1 - Math.Exp(-_dt / CoolantTau);
        _json = new RecordJsonWriter("rd", options.Seed);
        _vehicles = new Vehicle[options.Vehicles];
        _order = new int[options.Vehicles];
        DrawFleet();

        // Faults are chosen uniformly per incident; an incident labels e readings on average, and an incident probability
        // q per reading of a healthy vehicle gives a labelled fraction q*e / (q*e + 1 - q) = rate.
        var e = ((1 + SpikeMaxReadings) / 2.0 + 3 * (options.FaultMinReadings + options.FaultMaxReadings) / 2.0) / 4;
        var rate = options.AnomalyRate;
        _incidentProbability = rate / (e * (1 - rate) + rate);
    }

    /// <inheritdoc />
    public string Name => "fleet";

    /// <inheritdoc />
    public RecordSchemaOptions Schema => FleetSchema;

    /// <summary>The options this generator runs with.</summary>
    public FleetGeneratorOptions Options => _options;

    /// <inheritdoc />
    public GeneratedRecord Next()
    {
        var round = _sequence / _vehicles.Length;
        var index = _order[(int)(_sequence % _vehicles.Length)];
        ref var v = ref _vehicles[index];
        var ms = _startMs + round * _intervalMs + v.OffsetMs;
        Span<double> x = stackalloc double[SensorCount];
        Simulate(ref v, ms, x);
        if (v.Fault == NoFault && _rng.NextDouble() < _incidentProbability)
        {
            StartFault(ref v, x);
        }
        var fault = v.Fault;
        var sensor = v.Sensor;
        if (fault != NoFault)
        {
            ApplyFault(ref v, x);
        }
        return Emit(in v, ms, x, fault, sensor);
    }

    /// <summary>The rpm a healthy vehicle's engine turns at <paramref name="speed"/> in <paramref name="gear"/>, before the vehicle's own ratio scale (within ±8%) and noise.</summary>
    internal static double NominalRpm(double speed, int gear) => Math.Max(IdleRpm, speed * GearRpmPerKmh[gear]);

    private static int GearFor(double speed) => speed switch
    {
        < 1 => 0,
        < 15 => 1,
        < 30 => 2,
        < 50 => 3,
        < 70 => 4,
        < 95 => 5,
        _ => 6,
    };

    /// <summary>Advances the vehicle by one interval and writes its true sensor values into <paramref name="x"/>.</summary>
    private void Simulate(ref Vehicle v, long ms, Span<double> x)
    {
        var previous = v.Speed;
        var sd = v.SpeedSd * Math.Sqrt(1 - _speedDecay * _speedDecay);
        v.Speed = Math.Clamp(v.MeanSpeed + (v.Speed - v.MeanSpeed) * _speedDecay + sd * _rng.NextGaussian(), 0, 150);
        var acceleration = (v.Speed - previous) / _dt;
        var gear = GearFor(v.Speed);
        var rpm = NominalRpm(v.Speed * v.RatioScale, gear) + 30 * _rng.NextGaussian();
        var throttle = Math.Clamp(4 + 0.32 * v.Speed + 22 * acceleration + 2 * _rng.NextGaussian(), 0, 100);
        var hour = (ms % 86_400_000) / 3_600_000.0;
        var ambient = v.AmbientBase + 6 * Math.Sin(2 * Math.PI * (hour - 9) / 24) + 0.2 * _rng.NextGaussian();
        var target = 82 + 16 * throttle / 100 + 0.08 * (ambient - 15);
        v.EngineTemp += (target - v.EngineTemp) * _engineGain;
        v.CoolantTemp += (v.EngineTemp - 4 - v.CoolantTemp) * _coolantGain;

        x[Speed] = v.Speed;
        x[Acceleration] = acceleration;
        x[Rpm] = rpm;
        x[Gear] = gear;
        x[Throttle] = throttle;
        x[EngineTemp] = v.EngineTemp + 0.3 * _rng.NextGaussian();
        x[CoolantTemp] = v.CoolantTemp + 0.3 * _rng.NextGaussian();
        x[OilPressure] = Math.Max(0, 8 + 0.011 * rpm - 0.04 * (v.EngineTemp - 90) + 0.8 * _rng.NextGaussian());
        x[BatteryVoltage] = v.BatteryBase + 0.04 * _rng.NextGaussian();
        x[FuelRate] = Math.Max(0, 0.9 + 1.1e-4 * throttle * rpm * v.FuelScale + 0.15 * _rng.NextGaussian());
        x[AmbientTemp] = ambient;
    }
}
