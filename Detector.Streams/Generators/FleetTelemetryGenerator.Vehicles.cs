using System.Globalization;
using System.Text.Json;

namespace Detector.Streams.Generators;

/// <summary>The fleet: each vehicle's characteristics and simulated state, drawn once from the seed.</summary>
public sealed partial class FleetTelemetryGenerator
{
    /// <summary>Engine rpm per km/h in gears 0 (standstill, idle) to 6.</summary>
    private static readonly double[] GearRpmPerKmh = [0, 110, 65, 45, 35, 28, 23];

    /// <summary>One vehicle's characteristics, its true physical state and its current fault, if any.</summary>
    private struct Vehicle
    {
        public JsonEncodedText Key;
        public long OffsetMs;         // reading time within each interval
        public double MeanSpeed;      // km/h: the OU process's mean (city to highway)
        public double SpeedSd;        // km/h: the OU process's stationary sd
        public double RatioScale;     // final-drive and tyre differences: rpm per km/h times this
        public double FuelScale;      // engine efficiency differences
        public double BatteryBase;    // V: the alternator's set point
        public double AmbientBase;    // °C: climate where the vehicle drives
        public double Speed;          // km/h: true speed
        public double EngineTemp;     // °C: true engine temperature
        public double CoolantTemp;    // °C: true coolant temperature
        public int Fault;             // NoFault or the scenario index of the fault in progress
        public int Sensor;            // the sensor the fault corrupts
        public int Length;            // readings in the fault
        public int Step;              // readings of the fault emitted so far
        public double Magnitude;      // spike offset, or drift offset reached at the end of the span
        public double Frozen;         // the stuck sensor's value
        public double FreeRpm;        // broken correlation: rpm's own process, decoupled from speed
        public double FreeRpmMean;    // broken correlation: the mean that process wanders around
    }

    private void DrawFleet()
    {
        var offsets = new long[_vehicles.Length];
        for (var i = 0; i < _vehicles.Length; i++)
        {
            ref var v = ref _vehicles[i];
            v.Key = JsonEncodedText.Encode(string.Create(CultureInfo.InvariantCulture, $"veh-{i:D4}"));
            v.OffsetMs = (long)(_rng.NextDouble() * _intervalMs);
            v.MeanSpeed = 35 + 50 * _rng.NextDouble();
            v.SpeedSd = 12 + 13 * _rng.NextDouble();
            v.RatioScale = 0.92 + 0.16 * _rng.NextDouble();
            v.FuelScale = 0.85 + 0.3 * _rng.NextDouble();
            v.BatteryBase = 13.65 + 0.3 * _rng.NextDouble();
            v.AmbientBase = -5 + 35 * _rng.NextDouble();
            v.Speed = Math.Clamp(v.MeanSpeed + v.SpeedSd * _rng.NextGaussian(), 0, 150);
            v.EngineTemp = 82 + 16 * Math.Clamp(4 + 0.32 * v.Speed, 0, 100) / 100 + 0.08 * (v.AmbientBase - 15);
            v.CoolantTemp = v.EngineTemp - 4;
            offsets[i] = v.OffsetMs;
            _order[i] = i;
        }
        Array.Sort(offsets, _order);
    }
}
