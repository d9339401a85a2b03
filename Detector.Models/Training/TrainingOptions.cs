using Detector.Models.Scaling;
using Detector.Models.Validation;

namespace Detector.Models.Training;

/// <summary>How a model is trained. Defaults suit the small tabular models.</summary>
public sealed record TrainingOptions
{
    /// <summary>Maximum passes over the training split.</summary>
    public int Epochs { get; init; } = 50;

    /// <summary>Rows per optimizer step.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Adam step size.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Adam or AdamW.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>L2 (Adam) or decoupled (AdamW) weight decay.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Adam β1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam β2.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam ε.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Clip the global gradient norm to this value; 0 disables clipping.</summary>
    public double GradientClipNorm { get; init; } = 5.0;

    /// <summary>Share of rows held out for validation and early stopping; 0 disables both.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Stop after this many epochs without validation improvement; 0 never stops early.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>Smallest validation-loss decrease that counts as improvement (relative).</summary>
    public double MinRelativeImprovement { get; init; } = 1e-4;

    /// <summary>Seed for initialisation, shuffling, noise, dropout and sampling.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Input corruption (denoising).</summary>
    public NoiseKind Noise { get; init; } = NoiseKind.None;

    /// <summary>σ for Gaussian noise, drop probability for masking noise.</summary>
    public double NoiseLevel { get; init; } = 0.1;

    /// <summary>Feature scaling fitted on the training split.</summary>
    public ScalerKind Scaler { get; init; } = ScalerKind.Standard;

    /// <summary>Data-parallel worker threads per step (results are bit-for-bit reproducible for a fixed count).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// Trimmed training for contaminated data (unlabelled training rows that hold anomalies): after
    /// <see cref="TrimAfterEpochs"/> epochs on every row, each epoch trains only on the rows the model then scores
    /// below the (1 − TrimFraction) quantile, so the anomalies among them stop being learned; early stopping then
    /// watches the validation rows' scores trimmed the same way. 0 trains on every row.
    /// </summary>
    public double TrimFraction { get; init; }

    /// <summary>Epochs on every row before trimming starts (the model first has to tell rows apart).</summary>
    public int TrimAfterEpochs { get; init; } = 3;

    /// <summary>
    /// Epochs between two rankings of the training rows when trimming (1: every epoch). Ranking scores every training
    /// row (a VAE by its one-sample ELBO, <c>RankingScore</c>), about an epoch's cost for an ensemble of VAEs.
    /// </summary>
    public int TrimEveryEpochs { get; init; } = 1;

    /// <summary>Throws naming the first invalid option, its value and what is allowed.</summary>
    public void Validate()
    {
        Check(Epochs >= 1, nameof(Epochs), Epochs, ">= 1");
        Check(BatchSize >= 1, nameof(BatchSize), BatchSize, ">= 1");
        Check(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "> 0");
        Check(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, ">= 0");
        Check(Beta1 is >= 0 and < 1, nameof(Beta1), Beta1, "[0, 1)");
        Check(Beta2 is >= 0 and < 1, nameof(Beta2), Beta2, "[0, 1)");
        Check(Epsilon > 0, nameof(Epsilon), Epsilon, "> 0");
        Check(GradientClipNorm >= 0, nameof(GradientClipNorm), GradientClipNorm, ">= 0 (0 disables)");
        Check(ValidationFraction is >= 0 and < 1, nameof(ValidationFraction), ValidationFraction, "[0, 1)");
        Check(Patience >= 0, nameof(Patience), Patience, ">= 0 (0 disables early stopping)");
        Check(TrimFraction is >= 0 and < 0.5, nameof(TrimFraction), TrimFraction, "[0, 0.5) (0 disables trimming)");
        Check(TrimAfterEpochs >= 0, nameof(TrimAfterEpochs), TrimAfterEpochs, ">= 0");
        Check(TrimEveryEpochs >= 1, nameof(TrimEveryEpochs), TrimEveryEpochs, ">= 1");
        Check(Threads >= 1, nameof(Threads), Threads, ">= 1");
        Check(Enum.IsDefined(Optimizer), nameof(Optimizer), Optimizer, string.Join(", ", Enum.GetNames<OptimizerKind>()));
        Check(Enum.IsDefined(Noise), nameof(Noise), Noise, string.Join(", ", Enum.GetNames<NoiseKind>()));
        Check(Enum.IsDefined(Scaler), nameof(Scaler), Scaler, string.Join(", ", Enum.GetNames<ScalerKind>()));
        Check(Noise == NoiseKind.None || NoiseLevel is > 0 and < 1 || (Noise == NoiseKind.Gaussian && NoiseLevel > 0),
            nameof(NoiseLevel), NoiseLevel, "> 0 (and < 1 for masking)");
    }

    private static void Check(bool ok, string key, object value, string allowed) => OptionCheck.Require(ok, key, value, allowed);
}
