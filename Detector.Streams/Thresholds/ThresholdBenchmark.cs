using System.Diagnostics;
using System.Globalization;

namespace Detector.Streams.Thresholds;

/// <summary>
/// A hand-run micro-benchmark of <see cref="ThresholdTracker.Evaluate"/> (not a test: timing never decides a test).
/// Each configuration replays a seeded stream of uniform random scores over 1000 entity keys at p = 99, one
/// millisecond apart: a first pass, untimed, fills every window (global and per entity), then a second pass of the
/// same length is timed. Each configuration runs with the exact global window (RelativeError = 0) and with the sketch
/// (RelativeError = 0.001), so one run gives the before/after side by side; a table then times the incident guard off
/// and on, alternating, and a last one the global window alone (one add and one threshold read per score). Run it in Release on a quiet machine and compare figures side by side.
/// </summary>
public static class ThresholdBenchmark
{
    /// <summary>Entity keys in the stream.</summary>
    public const int EntityKeys = 1000;

    /// <summary>The sketch's relative error in the "after" rows.</summary>
    public const double SketchRelativeError = 0.001;

    /// <summary>
    /// Measures the six standard configurations (global and per entity, W = 1k, 10k, 100k), each exact and with
    /// <see cref="SketchRelativeError"/>, and writes ns/eval; then the global window alone, exact and sketched.
    /// </summary>
    public static void Run(TextWriter output, int evaluations = 1_000_000)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(evaluations, 1);
        output.WriteLine($"ThresholdTracker.Evaluate, p = 99, {EntityKeys} entity keys, {evaluations:N0} timed evaluations after as many untimed");
        foreach (var perEntity in new[] { false, true })
        {
            foreach (var windowSize in new[] { 1_000, 10_000, 100_000 })
            {
                foreach (var relativeError in new[] { 0, SketchRelativeError })
                {
                    var ns = Measure(windowSize, perEntity, evaluations, relativeError: relativeError);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"PerEntity={perEntity,-5} W={windowSize,7:N0} RelativeError={relativeError,-5}: {ns,8:F1} ns/eval"));
                }
            }
        }
        output.WriteLine("Incident guard off and on (GuardIncidents), exact, W = 10,000, alternating twice");
        foreach (var perEntity in new[] { false, true })
        {
            for (var repeat = 0; repeat < 2; repeat++)
            {
                foreach (var guard in new[] { false, true })
                {
                    var ns = Measure(10_000, perEntity, evaluations, guardIncidents: guard);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"PerEntity={perEntity,-5} GuardIncidents={guard,-5}: {ns,8:F1} ns/eval"));
                }
            }
        }
        output.WriteLine("Global window alone: Add + Threshold per score");
        foreach (var windowSize in new[] { 1_000, 10_000, 100_000 })
        {
            foreach (var relativeError in new[] { 0, SketchRelativeError })
            {
                var ns = MeasureWindow(windowSize, relativeError, evaluations);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"W={windowSize,7:N0} RelativeError={relativeError,-5}: {ns,8:F1} ns/add"));
            }
        }
    }

    /// <summary>Nanoseconds per <see cref="ThresholdTracker.Evaluate"/> for one configuration (EntityWindowSize 500).</summary>
    public static double Measure(int windowSize, bool perEntity, int evaluations, int seed = 42, double relativeError = 0, bool guardIncidents = true)
    {
        var tracker = new ThresholdTracker(new ThresholdOptions
        {
            Percentile = 99, WindowSize = windowSize, PerEntity = perEntity, EntityWindowSize = 500, RelativeError = relativeError,
            GuardIncidents = guardIncidents,
        });
        var random = new Random(seed);
        var keys = Enumerable.Range(0, EntityKeys).Select(i => $"entity-{i}").ToArray();
        var total = 2 * evaluations;
        var who = new string[total];
        var scores = new float[total];
        var times = new DateTimeOffset[total];
        var t0 = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < total; i++)
        {
            who[i] = keys[random.Next(EntityKeys)];
            scores[i] = (float)random.NextDouble();
            times[i] = t0.AddTicks(i * TimeSpan.TicksPerMillisecond);
        }

        var anomalies = 0;
        for (var i = 0; i < evaluations; i++)
        {
            anomalies += tracker.Evaluate(who[i], scores[i], times[i]).IsAnomaly ? 1 : 0;
        }
        var clock = Stopwatch.StartNew();
        for (var i = evaluations; i < total; i++)
        {
            anomalies += tracker.Evaluate(who[i], scores[i], times[i]).IsAnomaly ? 1 : 0;
        }
        clock.Stop();
        GC.KeepAlive(anomalies);
        return clock.Elapsed.TotalNanoseconds / evaluations;
    }

    /// <summary>Nanoseconds per add (and threshold read) of the p = 99 global window alone, by count, exact or sketched.</summary>
    public static double MeasureWindow(int windowSize, double relativeError, int evaluations, int seed = 42)
    {
        PercentileWindow window = relativeError > 0
            ? new SketchPercentile(99, windowSize, relativeError)
            : new RollingPercentile(99, windowSize);
        var random = new Random(seed);
        var scores = new float[2 * evaluations];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = (float)random.NextDouble();
        }
        var sum = 0.0;
        for (var i = 0; i < evaluations; i++)
        {
            window.Add(scores[i], default);
            sum += window.Threshold;
        }
        var clock = Stopwatch.StartNew();
        for (var i = evaluations; i < scores.Length; i++)
        {
            window.Add(scores[i], default);
            sum += window.Threshold;
        }
        clock.Stop();
        GC.KeepAlive(sum);
        return clock.Elapsed.TotalNanoseconds / evaluations;
    }
}
