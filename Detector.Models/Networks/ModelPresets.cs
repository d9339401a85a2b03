using Detector.Models.Kernels;
using Detector.Models.Training;

namespace Detector.Models.Networks;

/// <summary>
/// Architectures and training measured best on the public benchmarks (docs/quality.md, eval/*.json): one for tabular
/// records (card transactions, the ODDS sets) and one for telemetry windows (SKAB). Starting points, not laws: the
/// figures behind them are in docs/quality.md.
/// </summary>
public static class ModelPresets
{
    /// <summary>
    /// Tabular records: an ensemble of 5 VAEs (64-32, code 8, tanh) with β = 0.1, each scored by the negative ELBO over
    /// 8 samples, the score their mean. On fraud-sim one such VAE reached AUC-ROC 0.87 / AP 0.21 where the dense AE
    /// default reached 0.85 / 0.11; β = 1 collapsed the posterior (our reconstruction term is a mean over features, so
    /// β = 1 weighs the KL term like β ≈ D in the usual ELBO) and left a distance-from-the-mean detector. Five members
    /// instead of one raised the ODDS AUC-ROC on 14 of 17 sets (mean +0.007) at 5× the scoring cost (docs/quality.md).
    /// </summary>
    public static ModelOptions Tabular { get; } = new()
    {
        Preset = ModelPreset.Tabular, Kind = ModelKind.VariationalAutoencoder, HiddenSizes = [64, 32], CodeSize = 8, HiddenActivation = Activation.Tanh,
        Beta = 0.1, Score = VaeScore.NegativeElbo, ElboSamples = 8, Members = 5,
    };

    /// <summary>
    /// Training for <see cref="Tabular"/>: Adam 5e-3, batch 256, up to 50 epochs with early stopping, trimmed: after 3
    /// epochs the training rows are ranked every 4 epochs and the 20% the model scores highest left out, since tabular
    /// training data is unlabelled and holds anomalies (ODDS sets up to 35%; with it ODDS went from 7 to 11 sets ahead
    /// of Isolation Forest and fraud-sim's average precision from 0.218 to 0.28: docs/quality.md). The rate is 5e-3
    /// rather than Adam's usual 1e-3 because small tables get few steps at batch 256 (a few hundred rows: one step an
    /// epoch): ODDS went from 11 to 12 sets ahead, mean AUC-ROC 0.809 → 0.823, fraud-sim (262 steps an epoch) unchanged.
    /// </summary>
    public static TrainingOptions TabularTraining { get; } = new()
    {
        Epochs = 50, BatchSize = 256, LearningRate = 5e-3, Patience = 5, TrimFraction = 0.2, TrimEveryEpochs = 4,
    };

    /// <summary>
    /// Telemetry windows of <paramref name="steps"/> records: the 1-D convolutional autoencoder (channels 32 and 16,
    /// kernel 7, stride 2, ReLU), SKAB's Conv-AE shape; with 60 one-second steps it reached F1 0.79 on SKAB.
    /// </summary>
    public static ModelOptions Telemetry(int steps = DefaultWindowSteps) => new()
    {
        Preset = ModelPreset.Telemetry, Kind = ModelKind.ConvolutionalAutoencoder, WindowSteps = steps, HiddenSizes = [32, 16], KernelSize = 7, Stride = 2,
        HiddenActivation = Activation.Relu,
    };

    /// <summary>
    /// Training for <see cref="Telemetry"/>: Adam 1e-3, batch 32, up to 25 epochs with early stopping (few windows per
    /// stream). 100 epochs (before) spent ~70% of SKAB's evaluate time training while early stopping seldom fired, for
    /// F1 0.788; 25 took 2.7x less CPU for F1 0.794 (docs/quality.md).
    /// </summary>
    public static TrainingOptions TelemetryTraining { get; } = new() { Epochs = 25, BatchSize = 32, LearningRate = 1e-3, Patience = 5 };

    /// <summary>Steps per window of <see cref="Telemetry"/> (one minute of one-second records).</summary>
    public const int DefaultWindowSteps = 60;

    /// <summary>The model and training options of a preset; None gives the plain defaults.</summary>
    public static (ModelOptions Model, TrainingOptions Training) For(ModelPreset preset) => preset switch
    {
        ModelPreset.Tabular => (Tabular, TabularTraining),
        ModelPreset.Telemetry => (Telemetry(), TelemetryTraining),
        ModelPreset.None => (new ModelOptions(), new TrainingOptions()),
        _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, $"allowed: {string.Join(", ", Enum.GetNames<ModelPreset>())}"),
    };

    /// <summary>
    /// A windowed kind configured without a window (WindowSteps 1, the dense default) takes the Telemetry preset's
    /// window; <paramref name="warning"/> then says so, for the caller to log. Anything else is returned as it is.
    /// </summary>
    public static ModelOptions WithDefaultWindow(ModelOptions model, out string? warning)
    {
        ArgumentNullException.ThrowIfNull(model);
        warning = null;
        if (!model.IsWindowed || model.WindowSteps != 1)
        {
            return model;
        }
        warning = $"{model.Kind} without a window size (WindowSteps): using the Telemetry preset's {DefaultWindowSteps} steps";
        return model with { WindowSteps = DefaultWindowSteps };
    }
}
