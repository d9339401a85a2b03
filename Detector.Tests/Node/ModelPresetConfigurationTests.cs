using Detector.Models.Networks;
using Detector.Models.Validation;
using Detector.Node.Configuration;
using Detector.Node.Evaluation;
using Xunit;

namespace Detector.Tests.Node;

/// <summary>
/// Pipeline:Retraining:Model:Preset (and evaluate's Model:Preset / --preset): the preset is the starting point, the keys
/// set beside it refine it, a bad name stops start-up naming the key and the allowed values, and a windowed kind without
/// a window takes the Telemetry preset's.
/// </summary>
public sealed class ModelPresetConfigurationTests() : TempFiles("detector-preset-")
{
    private string Json(string text) => Write($"{Guid.NewGuid():N}.json", text);

    private static NodeOptions Load(params (string Key, string Value)[] flags) =>
        NodeConfiguration.Load(null, new Dictionary<string, string?>(), flags.Select(f => new KeyValuePair<string, string?>(f.Key, f.Value)));

    [Fact]
    public void Load_TelemetryPresetWithOneKeyBesideIt_StartsFromThePresetAndKeepsTheKey()
    {
        var retraining = Load(("Pipeline:Retraining:Model:Preset", "Telemetry"), ("Pipeline:Retraining:Model:HiddenSizes:0", "8"),
            ("Pipeline:Retraining:Training:Patience", "2")).Pipeline.Retraining;

        Assert.Equal(ModelKind.ConvolutionalAutoencoder, retraining.Model.Kind);
        Assert.Equal(60, retraining.Model.WindowSteps);
        Assert.Equal([8], retraining.Model.HiddenSizes);
        Assert.Equal(ModelPresets.TelemetryTraining.Epochs, retraining.Training.Epochs);
        Assert.Equal(ModelPresets.TelemetryTraining.BatchSize, retraining.Training.BatchSize);
        Assert.Equal(2, retraining.Training.Patience);
    }

    [Fact]
    public void Load_TabularPreset_IsTheTabularPreset()
    {
        var model = Load(("Pipeline:Retraining:Model:Preset", "tabular")).Pipeline.Retraining.Model;

        Assert.Equal(ModelPresets.Tabular with { HiddenSizes = [] }, model with { HiddenSizes = [] });
    }

    [Fact]
    public void Load_UnknownPreset_NamesTheKeyAndTheAllowedValues()
    {
        var error = Assert.Throws<InvalidOptionException>(() => Load(("Pipeline:Retraining:Model:Preset", "Tabulr")));

        Assert.Contains("Pipeline:Retraining:Model:Preset", error.Message, StringComparison.Ordinal);
        Assert.Contains("Tabular", error.Message, StringComparison.Ordinal);
        Assert.Contains("Telemetry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_UnknownPreset_ExitsWithUsageCode()
    {
        Assert.Equal(2, await Detector.Node.Cli.Build().Parse(["train", "-i", Json("{}"), "--set", "Pipeline:Retraining:Model:Preset=Fast"]).InvokeAsync());
    }

    [Fact]
    public void Load_WindowedKindWithoutWindow_TakesTheTelemetryWindow()
    {
        var model = Load(("Pipeline:Retraining:Model:Kind", "LstmAutoencoder")).Pipeline.Retraining.Model;

        Assert.Equal(ModelPresets.DefaultWindowSteps, model.WindowSteps);
    }

    [Fact]
    public void EvaluationConfig_PresetInFileRefinedByItsKeys_AndTheFlagWins()
    {
        var path = Json("""{ "Model": { "Preset": "Tabular", "CodeSize": 4 }, "Training": { "Epochs": 7 } }""");

        var fromFile = EvaluationConfig.Load(path);
        var flagged = EvaluationConfig.Load(path, ModelPreset.Telemetry);

        Assert.Equal(ModelKind.VariationalAutoencoder, fromFile.Model.Kind);
        Assert.Equal(4, fromFile.Model.CodeSize);
        Assert.Equal(7, fromFile.Training.Epochs);
        Assert.Equal(ModelPresets.TabularTraining.BatchSize, fromFile.Training.BatchSize);
        Assert.Equal(1, fromFile.Training.Threads);
        Assert.Equal(ModelKind.ConvolutionalAutoencoder, flagged.Model.Kind);
        Assert.Equal(4, flagged.Model.CodeSize);
    }

    [Fact]
    public void EvaluationConfig_NoFileAndNoPreset_IsTheDefaults()
    {
        Assert.Equal(new EvaluationConfig().Model with { HiddenSizes = [] }, EvaluationConfig.Load(null).Model with { HiddenSizes = [] });
    }
}
