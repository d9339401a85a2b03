using System.Globalization;
using System.Text;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Detector.Node.Evaluation;
using Xunit;

namespace Detector.Tests.Evaluation;

/// <summary>
/// `detector evaluate` end to end on a small generated telemetry file: the real pipeline trains on the initial window,
/// scores the rest, and the report finds the injected fault segments.
/// </summary>
public sealed class StreamEvaluationTests : IDisposable
{
    private static readonly string[] Sensors = ["a", "b", "c"];

    private readonly string _dir = Directory.CreateTempSubdirectory("detector-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Three correlated sensors; from record 600, every 200 records a 40-record fault breaks their relation.</summary>
    private string Telemetry(int records)
    {
        var rng = new Rng(12);
        var csv = new StringBuilder("time;a;b;c;fault\n");
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var t = 0; t < records; t++)
        {
            var phase = 0.3 * t;
            var fault = t >= 600 && (t - 600) % 200 < 40;
            var a = Math.Sin(phase) + 0.05 * rng.NextGaussian();
            var b = Math.Cos(phase) + 0.05 * rng.NextGaussian();
            var c = a + b + 0.05 * rng.NextGaussian() + (fault ? 1.5 : 0);
            csv.Append(CultureInfo.InvariantCulture, $"{start.AddSeconds(t):yyyy-MM-dd HH:mm:ss};{a:F4};{b:F4};{c:F4};{(fault ? 1 : 0)}\n");
        }
        var path = Path.Combine(_dir, "telemetry.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    [Theory]
    [InlineData(ModelKind.Autoencoder, ThresholdMode.Training)]
    [InlineData(ModelKind.ConvolutionalAutoencoder, ThresholdMode.Training)]
    [InlineData(ModelKind.Autoencoder, ThresholdMode.Pipeline)]
    public async Task RunAsync_InjectedFaults_FoundWithFewFalseAlarms(ModelKind kind, ThresholdMode mode)
    {
        var path = Telemetry(2_000);
        var config = new EvaluationConfig
        {
            Model = kind == ModelKind.Autoencoder
                ? new ModelOptions { HiddenSizes = [16], CodeSize = 2 }
                : new ModelOptions { Kind = kind, WindowSteps = 8, HiddenSizes = [8, 4], KernelSize = 3 },
            Training = new Detector.Models.Training.TrainingOptions { Epochs = 40, BatchSize = 32, LearningRate = 3e-3, Threads = 1 },
            Thresholds = new Detector.Streams.Thresholds.ThresholdOptions { Percentile = 95, WindowSize = 400, WarmUp = 100 },
            Evaluation = new EvaluationOptions { Label = "fault", TrainRows = 500, CalibrationRows = 100, Threshold = mode, TrainingQuantile = 0.99, ThresholdFactor = 1.5 },
        }.Validate();
        var svg = Path.Combine(_dir, "plot.svg");
        var report = await EvaluateCommand.RunAsync([path], null, config, "telemetry", svg, null, CancellationToken.None);
        var s = report.Summary;
        Assert.Equal(1_500, s.Records);
        Assert.Equal(7, s.Segments);
        Assert.Equal(7, s.SegmentsDetected);
        Assert.True(s.AucRoc > 0.95, $"{kind}/{mode}: AUC-ROC {s.AucRoc:F3}");
        Assert.True(s.AdjustedF1 > 0.8, $"{kind}/{mode}: point-adjusted F1 {s.AdjustedF1:F3}");
        Assert.True(mode == ThresholdMode.Pipeline || s.F1 > 0.8, $"{kind}/{mode}: F1 {s.F1:F3}");
        Assert.True(s.MeanDelaySeconds >= 0 && s.MeanDelaySeconds <= 10, $"{kind}/{mode}: mean delay {s.MeanDelaySeconds:F1} s");
        var json = report.ToJson();
        Assert.StartsWith("{\"dataset\":\"telemetry\",\"f1\":", json, StringComparison.Ordinal);
        Assert.Contains("\"auc_roc\":", json, StringComparison.Ordinal);
        var plot = await File.ReadAllTextAsync(svg);
        Assert.StartsWith("<svg", plot, StringComparison.Ordinal);
        Assert.Contains("labelled anomaly", plot, StringComparison.Ordinal);
        _ = System.Xml.Linq.XDocument.Parse(plot); // well-formed XML
    }

    [Fact]
    public async Task RunAsync_WindowedModel_AlertsNameTheSensorsNotWindowSteps()
    {
        var config = new EvaluationConfig
        {
            Model = new ModelOptions { Kind = ModelKind.ConvolutionalAutoencoder, WindowSteps = 8, HiddenSizes = [8, 4], KernelSize = 3 },
            Training = new Detector.Models.Training.TrainingOptions { Epochs = 30, BatchSize = 32, LearningRate = 3e-3, Threads = 1 },
            Thresholds = new Detector.Streams.Thresholds.ThresholdOptions { Percentile = 97, WindowSize = 1_000, WarmUp = 100, SuppressionGap = TimeSpan.FromSeconds(20) },
            Evaluation = new EvaluationOptions { Label = "fault", TrainRows = 500 },
        }.Validate();
        var data = EvaluationData.Load(Telemetry(2_000), config.Evaluation);
        var run = await StreamEvaluation.RunAsync(data, null, config, 0, CancellationToken.None);
        Assert.NotEmpty(run.Alerts);
        Assert.All(run.Alerts, a => Assert.All(a.TopFeatures, f => Assert.Contains(f.Name, Sensors)));
        // The injected faults shift sensor c: it is the sensor most often blamed first.
        var first = run.Alerts.Where(a => a.Label == true || run.Outcome.Labels[int.Parse(a.RecordId[2..], CultureInfo.InvariantCulture) - 500])
            .GroupBy(a => a.TopFeatures[0].Name).OrderByDescending(g => g.Count()).First().Key;
        Assert.Equal("c", first);
    }
}
