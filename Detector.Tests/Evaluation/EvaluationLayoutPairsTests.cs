using System.Globalization;
using System.Text;
using Detector.Models.Networks;
using Detector.Models.Training;
using Detector.Node.Evaluation;
using Xunit;

namespace Detector.Tests.Evaluation;

/// <summary>
/// Per-file training pairs (--train-dir matched by file name, or a manifest), and point-adjusted figures reported only
/// where records form time series.
/// </summary>
public sealed class EvaluationLayoutPairsTests() : TempFiles("detector-pairs-")
{
    /// <summary>A machine's file: two correlated sensors, faults (c breaks away) only in test files, from record 200.</summary>
    private string Machine(string folder, string name, int records, bool faults, bool timeColumn = true, double offset = 0)
    {
        var random = new Random(name.GetHashCode(StringComparison.Ordinal) ^ records);
        var csv = new StringBuilder(timeColumn ? "time,a,b,label\n" : "a,b,label\n");
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var t = 0; t < records; t++)
        {
            var fault = faults && t >= 200 && t % 100 < 20;
            var a = offset + Math.Sin(0.2 * t) + 0.05 * random.NextDouble();
            var b = a + (fault ? 2.0 : 0.05 * random.NextDouble());
            if (timeColumn)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{start.AddSeconds(t):yyyy-MM-ddTHH:mm:ss},");
            }
            csv.Append(CultureInfo.InvariantCulture, $"{a:F4},{b:F4},{(fault ? 1 : 0)}\n");
        }
        var dir = Directory.CreateDirectory(Path.Combine(Dir, folder)).FullName;
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    private static EvaluationConfig Config(ModelPreset preset = ModelPreset.None) => new EvaluationConfig
    {
        Model = new ModelOptions { Preset = preset, HiddenSizes = [8], CodeSize = 1 },
        Training = new TrainingOptions { Epochs = 30, BatchSize = 32, LearningRate = 3e-3, Threads = 1 },
        Evaluation = new EvaluationOptions { Threshold = ThresholdMode.Training, TrainingQuantile = 0.99, ThresholdFactor = 1.5 },
    }.Validate();

    [Fact]
    public void Pairs_TrainDir_MatchesEachDataFileByName()
    {
        Machine("train", "m1.csv", 50, faults: false);
        Machine("train", "m2.csv", 50, faults: false);
        var m1 = Machine("test", "m1.csv", 50, faults: true);
        Machine("test", "m2.csv", 50, faults: true);

        var pairs = EvaluateCommand.Pairs([Path.Combine(Dir, "test")], null, Path.Combine(Dir, "train"), null, null);

        Assert.Equal(2, pairs.Count);
        Assert.Equal(new EvaluationPair(m1, Path.Combine(Dir, "train", "m1.csv")), pairs[0]);
        Assert.EndsWith(Path.Combine("train", "m2.csv"), pairs[1].Train, StringComparison.Ordinal);
    }

    [Fact]
    public void Pairs_TrainDirWithoutTheFile_NamesTheMissingFile()
    {
        Machine("train", "m1.csv", 50, faults: false);
        var m3 = Machine("test", "m3.csv", 50, faults: true);

        var e = Assert.Throws<ArgumentException>(() => EvaluateCommand.Pairs([m3], null, Path.Combine(Dir, "train"), null, null));

        Assert.Contains("m3.csv", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromManifest_RelativePathsDashAndLabels_ResolvedAgainstTheManifestFolder()
    {
        Machine("m", "a-test.csv", 20, faults: false);
        Machine("m", "a-train.csv", 20, faults: false);
        Machine("m", "b-test.csv", 20, faults: false);
        File.WriteAllText(Path.Combine(Dir, "m", "a.labels"), string.Concat(Enumerable.Repeat("0\n", 20)));
        var manifest = Path.Combine(Dir, "m", "manifest.txt");
        File.WriteAllText(manifest, "# data train labels\na-test.csv a-train.csv a.labels\n\nb-test.csv, -\n");

        var pairs = EvaluationPair.FromManifest(manifest);

        Assert.Equal(
            [
                new EvaluationPair(Path.Combine(Dir, "m", "a-test.csv"), Path.Combine(Dir, "m", "a-train.csv"), Path.Combine(Dir, "m", "a.labels")),
                new EvaluationPair(Path.Combine(Dir, "m", "b-test.csv")),
            ], pairs);
        File.WriteAllText(manifest, "a-test.csv\n");
        Assert.Contains("line 1", Assert.Throws<ArgumentException>(() => EvaluationPair.FromManifest(manifest)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TrainDirPairs_EachMachineTrainsOnItsOwnFileAndThePoolCountsEveryRecord()
    {
        // The machines run at different levels: a model trained on the other machine's file would flag everything.
        Machine("train", "m1.csv", 400, faults: false, offset: 0);
        Machine("train", "m2.csv", 400, faults: false, offset: 5);
        Machine("test", "m1.csv", 500, faults: true, offset: 0);
        Machine("test", "m2.csv", 500, faults: true, offset: 5);
        var pairs = EvaluateCommand.Pairs([Path.Combine(Dir, "test")], null, Path.Combine(Dir, "train"), null, null);

        var report = await EvaluateCommand.RunAsync(pairs, Config(), "machines", null, null, CancellationToken.None);

        Assert.Equal(2, report.Files);
        Assert.Equal(1_000, report.Summary.Records);
        Assert.True(report.Summary.AucRoc > 0.9, $"AUC-ROC {report.Summary.AucRoc:F3}");
        Assert.True(report.Summary.FalseAlarmRate < 0.2, $"false-alarm rate {report.Summary.FalseAlarmRate:F3}");
    }

    [Fact]
    public async Task RunAsync_TrainingFileWithoutTheNamedLabelTimeAndExcludedColumns_TrainsOnTheSameFeatures()
    {
        // SKAB's layout: the anomaly-free file has neither the label nor the excluded changepoint column of the test files.
        var train = Write("train.csv", "datetime,a,b\n" + string.Concat(Enumerable.Range(0, 300).Select(t => FormattableString.Invariant($"2024-01-01T00:{t / 60:00}:{t % 60:00},{Math.Sin(0.2 * t):F4},{Math.Sin(0.2 * t):F4}\n"))));
        var test = Write("test.csv", "datetime,a,b,anomaly,changepoint\n" + string.Concat(Enumerable.Range(0, 200).Select(t => FormattableString.Invariant($"2024-01-02T00:{t / 60:00}:{t % 60:00},{Math.Sin(0.2 * t):F4},{Math.Sin(0.2 * t) + (t >= 150 ? 2 : 0):F4},{(t >= 150 ? 1 : 0)},{(t == 150 ? 1 : 0)}\n"))));
        var config = Config() with { Evaluation = Config().Evaluation with { Label = "anomaly", Timestamp = "datetime", Exclude = ["changepoint"] } };

        var report = await EvaluateCommand.RunAsync([new EvaluationPair(test, train)], config, "skab-like", null, null, CancellationToken.None);

        Assert.Equal(200, report.Summary.Records);
        Assert.True(report.Summary.AucRoc > 0.9, $"AUC-ROC {report.Summary.AucRoc:F3}");
        // In the scored data the named columns must exist: a typo there is still an error.
        var typo = config with { Evaluation = config.Evaluation with { Exclude = ["changepiont"] } };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => EvaluateCommand.RunAsync([new EvaluationPair(test, train)], typo, "typo", null, null, CancellationToken.None));
        Assert.Contains("changepiont", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TrainingFileWithOtherFeatureColumns_StopsNamingBothLists()
    {
        var train = Write("train.csv", "a,c\n" + string.Concat(Enumerable.Range(0, 50).Select(t => FormattableString.Invariant($"{t % 7},{t % 5}\n"))));
        var test = Write("test.csv", "a,b,label\n" + string.Concat(Enumerable.Range(0, 50).Select(t => FormattableString.Invariant($"{t % 7},{t % 5},0\n"))));

        var e = await Assert.ThrowsAsync<ArgumentException>(() => EvaluateCommand.RunAsync([new EvaluationPair(test, train)], Config(), "mismatch", null, null, CancellationToken.None));

        Assert.Contains("training file train.csv against test.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains("(a, b), got 2 (a, c): missing [b], unexpected [c]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_IndependentRecords_LeaveOutPointAdjustedFigures()
    {
        var tabular = Machine("tab", "odds.csv", 400, faults: true, timeColumn: false);
        var series = Machine("ts", "sensors.csv", 400, faults: true);

        var independent = await EvaluateCommand.RunAsync([tabular], null, Config(ModelPreset.Tabular), "odds", null, null, CancellationToken.None);
        var timeSeries = await EvaluateCommand.RunAsync([series], null, Config(), "sensors", null, null, CancellationToken.None);

        Assert.False(independent.TimeSeries);
        Assert.DoesNotContain("point_adjusted", independent.ToJson(), StringComparison.Ordinal);
        Assert.Contains("n/a: independent records", independent.ToTable(), StringComparison.Ordinal);
        Assert.True(timeSeries.TimeSeries);
        Assert.Contains("\"f1_point_adjusted\":", timeSeries.ToJson(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ModelKind.ConvolutionalAutoencoder, ModelPreset.None, false, true)]
    [InlineData(ModelKind.Autoencoder, ModelPreset.Telemetry, false, true)]
    [InlineData(ModelKind.Autoencoder, ModelPreset.None, true, true)]
    [InlineData(ModelKind.VariationalAutoencoder, ModelPreset.Tabular, true, false)]
    [InlineData(ModelKind.Autoencoder, ModelPreset.None, false, false)]
    public void FormsTimeSeries_WindowedTelemetryOrTimedButNotTabular(ModelKind kind, ModelPreset preset, bool timeColumn, bool expected)
    {
        var config = new EvaluationConfig { Model = new ModelOptions { Kind = kind, Preset = preset, WindowSteps = kind == ModelKind.ConvolutionalAutoencoder ? 8 : 1 } };

        Assert.Equal(expected, EvaluationReport.FormsTimeSeries(config, timeColumn));
    }
}
