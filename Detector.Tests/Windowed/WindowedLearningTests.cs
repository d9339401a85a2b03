using Detector.Models.Evaluation;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Detector.Models.Scoring;
using Detector.Models.Training;
using Detector.Streams.Windows;
using Xunit;

namespace Detector.Tests.Windowed;

/// <summary>
/// The windowed autoencoders learn the joint dynamics of a multivariate series: trained on normal windows, they score
/// windows holding injected faults (one sensor decoupled from the others, a frozen sensor, a spike) above normal ones,
/// and per-sensor attribution names the faulty sensor.
/// </summary>
public sealed class WindowedLearningTests
{
    private const int Sensors = 4, Steps = 16;

    /// <summary>
    /// Sensors 0–2 are phase-shifted sines of one slowly varying oscillation, sensor 3 a mix of two of them; noise on each.
    /// From record faultStart on, every 100 records, a 30-record fault hits sensor faultSensor (cycling through kinds).
    /// </summary>
    private static (float[] Rows, bool[] Faulty, int[] Sensor) Series(int records, ulong seed, int faultStart)
    {
        var rng = new Rng(seed);
        var rows = new float[records * Sensors];
        var faulty = new bool[records];
        var sensor = new int[records];
        var phase = 0.0;
        for (var t = 0; t < records; t++)
        {
            phase += 0.25 + 0.05 * Math.Sin(t / 50.0);
            var r = rows.AsSpan(t * Sensors, Sensors);
            for (var s = 0; s < 3; s++)
            {
                r[s] = (float)(Math.Sin(phase + s * 2.1) + 0.05 * rng.NextGaussian());
            }
            r[3] = r[0] + 0.5f * r[1] + (float)(0.05 * rng.NextGaussian());
            if (t >= faultStart && (t - faultStart) % 100 < 30)
            {
                var k = (t - faultStart) / 100;
                var s = k % Sensors;
                faulty[t] = true;
                sensor[t] = s;
                r[s] = (k % 3) switch
                {
                    0 => (float)Math.Sin(1.7 * phase),                        // decoupled from the others
                    1 => rows[(faultStart + k * 100 - 1) * Sensors + s],      // frozen at its last good value
                    _ => r[s] + 2.5f,                                          // offset
                };
            }
        }
        return (rows, faulty, sensor);
    }

    private static float[] Windows(float[] rows, int records)
    {
        var assembler = new SlidingWindowAssembler(Steps, Sensors);
        var windows = new float[records * Steps * Sensors];
        for (var t = 0; t < records; t++)
        {
            assembler.Push("e", rows.AsSpan(t * Sensors, Sensors), windows.AsSpan(t * Steps * Sensors, Steps * Sensors));
        }
        return windows;
    }

    [Theory]
    [InlineData(ModelKind.ConvolutionalAutoencoder)]
    [InlineData(ModelKind.LstmAutoencoder)]
    public void Train_OnNormalWindows_InjectedFaultsScoreHighAndAttributionNamesTheSensor(ModelKind kind)
    {
        const int trainRecords = 1_200, testRecords = 1_500;
        var (train, _, _) = Series(trainRecords, seed: 1, faultStart: int.MaxValue);
        var (test, faulty, faultySensor) = Series(testRecords, seed: 2, faultStart: 100);
        var schema = new FeatureSchema(WindowSchema.Names(["s0", "s1", "s2", "mix"], Steps));
        var options = kind == ModelKind.ConvolutionalAutoencoder
            ? new ModelOptions { Kind = kind, WindowSteps = Steps, HiddenSizes = [16, 8], KernelSize = 5, Stride = 2 }
            : new ModelOptions { Kind = kind, WindowSteps = Steps, CodeSize = 12, HiddenSizes = [12] };
        var model = new Trainer().Train(Windows(train, trainRecords), trainRecords, schema, options,
            new TrainingOptions { Epochs = kind == ModelKind.LstmAutoencoder ? 40 : 60, BatchSize = 32, LearningRate = 3e-3, Threads = 1, Patience = 0 });

        var windows = Windows(test, testRecords);
        var scores = new float[testRecords];
        var shares = new float[testRecords * Steps * Sensors];
        model.CreateScorer().Score(windows, testRecords, scores, shares);
        // A window is anomalous when at least half of it (its newest 8 records) lies inside a fault.
        var labels = Enumerable.Range(0, testRecords).Select(t => faulty[t] && t >= Steps / 2 && faulty[t - Steps / 2]).ToArray();
        // Normal windows hold no faulty record at all; windows partly inside a fault are neither, and left out.
        var touched = Enumerable.Range(0, testRecords).Select(t => Enumerable.Range(Math.Max(0, t - Steps + 1), Math.Min(Steps, t + 1)).Any(u => faulty[u])).ToArray();
        var keep = Enumerable.Range(0, testRecords).Where(t => labels[t] || !touched[t]).ToArray();
        var auc = DetectionMetrics.AucRoc(keep.Select(t => scores[t]).ToArray(), keep.Select(t => labels[t]).ToArray());
        Assert.True(auc >= 0.95, $"{kind}: AUC-ROC {auc:F3} of faulty against normal windows is below 0.95");

        var named = 0;
        var faultyWindows = keep.Where(t => labels[t]).ToArray();
        var top = new int[1];
        foreach (var t in faultyWindows)
        {
            // Per-sensor shares sit at the current step; the top feature must be the faulty sensor.
            var row = shares.AsSpan(t * Steps * Sensors, Steps * Sensors);
            FeatureAttribution.Top(row, top);
            named += top[0] == (Steps - 1) * Sensors + faultySensor[t] ? 1 : 0;
        }
        Assert.True(named >= 0.6 * faultyWindows.Length, $"{kind}: the faulty sensor had the largest share in only {named} of {faultyWindows.Length} faulty windows");
    }
}
