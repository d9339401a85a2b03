using System.Text.Json;
using Detector.Streams.Decoding;

namespace Detector.Streams.Generators;

/// <summary>The record layout: the schema, the sensors and how one reading becomes its JSON payload.</summary>
public sealed partial class FleetTelemetryGenerator
{
    private const int Speed = 0;
    private const int Acceleration = 1;
    private const int Rpm = 2;
    private const int Gear = 3;
    private const int Throttle = 4;
    private const int EngineTemp = 5;
    private const int CoolantTemp = 6;
    private const int OilPressure = 7;
    private const int BatteryVoltage = 8;
    private const int FuelRate = 9;
    private const int AmbientTemp = 10;
    private const int SensorCount = 11;

    /// <summary>The numeric features of a fleet record, in model order (speed km/h, acceleration km/h per s, °C, psi, V, L/h).</summary>
    public static IReadOnlyList<string> FeatureNames { get; } =
    [
        "speed", "acceleration", "rpm", "gear", "throttle", "engine_temp", "coolant_temp", "oil_pressure",
        "battery_voltage", "fuel_rate", "ambient_temp",
    ];

    // Static initialisers run in textual order within a file but in no defined order across partial files, so every
    // static that another one reads lives here.
    private static readonly RecordSchemaOptions FleetSchema = new RecordSchemaOptions
    {
        Format = RecordFormat.Json,
        Features = FeatureNames.Select(name => new FeatureField(name)).ToArray(),
        EntityField = "vehicle",
        TimestampField = "ts",
        IdField = "id",
        LabelField = "label",
    }.Validate();

    /// <summary>Decimals each sensor is written with (a stuck sensor freezes at its written value).</summary>
    private static readonly int[] Digits = [2, 3, 1, 0, 2, 2, 2, 2, 3, 3, 2];

    private static readonly string[] ScenarioNames =
        [FleetScenario.Normal, FleetScenario.Spike, FleetScenario.Drift, FleetScenario.StuckSensor, FleetScenario.BrokenCorrelation];

    private static readonly JsonEncodedText VehicleName = JsonEncodedText.Encode("vehicle");
    private static readonly JsonEncodedText FaultSensorName = JsonEncodedText.Encode("fault_sensor");
    private static readonly JsonEncodedText[] Features = FeatureNames.Select(name => JsonEncodedText.Encode(name)).ToArray();
    private static readonly JsonEncodedText[] Scenarios = ScenarioNames.Select(name => JsonEncodedText.Encode(name)).ToArray();

    /// <summary>Writes the reading; fault records also name the corrupted sensor in "fault_sensor".</summary>
    private GeneratedRecord Emit(in Vehicle v, long ms, ReadOnlySpan<double> x, int fault, int sensor)
    {
        var utc = DateTime.UnixEpoch.AddMilliseconds(ms);
        _json.Begin(++_sequence, utc);
        var w = _json.Json;
        w.WriteString(VehicleName, v.Key);
        for (var i = 0; i < SensorCount; i++)
        {
            _json.Number(Features[i], x[i], Digits[i]);
        }
        var label = fault != NoFault;
        if (label)
        {
            w.WriteString(FaultSensorName, Features[sensor]);
        }
        var payload = _json.Finish(label, Scenarios[fault]);
        return new GeneratedRecord(payload, v.Key.Value, new DateTimeOffset(utc), label, ScenarioNames[fault]);
    }
}
