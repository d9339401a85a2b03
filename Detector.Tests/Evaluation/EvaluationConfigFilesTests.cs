using Detector.Models.Networks;
using Detector.Node.Evaluation;
using Xunit;

namespace Detector.Tests.Evaluation;

/// <summary>The committed eval/*.json configurations load, validate, and use the measured presets.</summary>
public sealed class EvaluationConfigFilesTests
{
    private static string EvalFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Detector.sln")))
        {
            dir = dir.Parent;
        }
        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("Detector.sln not found above the test binaries"), "eval");
    }

    [Theory]
    [InlineData("skab.json", ThresholdMode.Training)]
    [InlineData("skab-lstm.json", ThresholdMode.Training)]
    [InlineData("odds.json", ThresholdMode.Training)]
    [InlineData("fraud-sim.json", ThresholdMode.Pipeline)]
    public void Load_CommittedConfig_ValidatesWithItsProtocol(string file, ThresholdMode mode)
    {
        var config = EvaluationConfig.Load(Path.Combine(EvalFolder(), file));
        Assert.Equal(mode, config.Evaluation.Threshold);
    }

    [Fact]
    public void Load_CommittedConfigs_UseThePresets()
    {
        var odds = EvaluationConfig.Load(Path.Combine(EvalFolder(), "odds.json")).Model;
        var fraud = EvaluationConfig.Load(Path.Combine(EvalFolder(), "fraud-sim.json")).Model;
        var skab = EvaluationConfig.Load(Path.Combine(EvalFolder(), "skab.json")).Model;
        Assert.Equal(ModelPresets.Tabular with { HiddenSizes = [] }, odds with { HiddenSizes = [] });
        Assert.Equal(ModelPresets.Tabular.HiddenSizes, odds.HiddenSizes);
        Assert.Equal(odds with { HiddenSizes = [] }, fraud with { HiddenSizes = [] });
        Assert.Equal(ModelPresets.Telemetry(60) with { HiddenSizes = [] }, skab with { HiddenSizes = [] });
        Assert.Equal(ModelPresets.Telemetry(60).HiddenSizes, skab.HiddenSizes);
        var skabTraining = EvaluationConfig.Load(Path.Combine(EvalFolder(), "skab.json")).Training;
        var oddsTraining = EvaluationConfig.Load(Path.Combine(EvalFolder(), "odds.json")).Training;
        Assert.Equal(ModelPresets.TelemetryTraining with { Threads = 1 }, skabTraining);
        Assert.Equal(ModelPresets.TabularTraining with { Threads = 1 }, oddsTraining);
    }
}
