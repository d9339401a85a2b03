using Detector.Models.Engines;
using Detector.Models.Kernels;
using Detector.Models.Validation;

namespace Detector.Models.Networks;

/// <summary>The architecture of a reconstruction model; stored in the artifact.</summary>
public sealed record ModelOptions
{
    /// <summary>
    /// The preset these options start from (the model and its training; keys set beside it win); None leaves every key
    /// at its own default. Applied where configuration is read (<see cref="ModelPresets.For"/>); not stored in artifacts.
    /// </summary>
    public ModelPreset Preset { get; init; }

    /// <summary>AE or VAE, or a windowed kind (convolutional or LSTM autoencoder).</summary>
    public ModelKind Kind { get; init; } = ModelKind.Autoencoder;

    /// <summary>Encoder hidden widths between input and code; the decoder mirrors them (default input-64-32-8-32-64-input).</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [64, 32];

    /// <summary>Width of the code (latent) layer.</summary>
    public int CodeSize { get; init; } = 8;

    /// <summary>Activation of the hidden layers.</summary>
    public Activation HiddenActivation { get; init; } = Activation.Relu;

    /// <summary>Activation of the AE code layer (the VAE's μ and log σ² heads are always linear).</summary>
    public Activation CodeActivation { get; init; } = Activation.Identity;

    /// <summary>Negative-side slope for LeakyReLU.</summary>
    public double LeakySlope { get; init; } = 0.01;

    /// <summary>Dropout probability after hidden layers while training.</summary>
    public double Dropout { get; init; }

    /// <summary>Reconstruction loss; BCE needs inputs scaled into [0, 1] and treats outputs as logits.</summary>
    public ReconstructionLoss Loss { get; init; } = ReconstructionLoss.MeanSquaredError;

    /// <summary>
    /// VAE: weight of the KL term. The reconstruction term is a mean over the D features, so β weighs the KL term like
    /// β·D would in the usual ELBO; 0.1 (rather than 1, which collapsed the posterior on every benchmark set, see
    /// docs/quality.md) keeps a latent that the negative-ELBO score can use.
    /// </summary>
    public double Beta { get; init; } = 0.1;

    /// <summary>AE: weight of the L1 penalty on the code (sparse autoencoder); 0 disables it.</summary>
    public double SparsityWeight { get; init; }

    /// <summary>VAE: how rows are scored.</summary>
    public VaeScore Score { get; init; } = VaeScore.Reconstruction;

    /// <summary>VAE: posterior samples L averaged by the negative-ELBO score.</summary>
    public int ElboSamples { get; init; } = 8;

    /// <summary>
    /// Dense kinds: networks of this architecture trained side by side from different random starts and scored as one
    /// model, by the mean of their scores (<see cref="EnsembleNetwork{T}"/>); 1 is a single network. Scoring costs
    /// Members times one network's.
    /// </summary>
    public int Members { get; init; } = 1;

    /// <summary>
    /// Windowed kinds: steps T per window. Their input is T·S values, S sensors per step, oldest step first; HiddenSizes
    /// are the convolutional encoder's channels, or the LSTM decoder's width (CodeSize is the LSTM encoder's). 1 for the
    /// dense kinds.
    /// </summary>
    public int WindowSteps { get; init; } = 1;

    /// <summary>Convolutional autoencoder: taps per convolution.</summary>
    public int KernelSize { get; init; } = 7;

    /// <summary>Convolutional autoencoder: stride of each encoder convolution (and of the mirrored decoder).</summary>
    public int Stride { get; init; } = 2;

    /// <summary>
    /// What trains and scores the model: Native (default) or Torch (LibTorch through TorchSharp; AE and VAE only).
    /// Not stored in the artifact: a model trained by either engine scores on the other.
    /// </summary>
    public ModelEngine Engine { get; init; } = ModelEngine.Native;

    /// <summary>Largest <see cref="Members"/>.</summary>
    public const int MaxMembers = 32;

    /// <summary>Whether the kind reads windows of steps × sensors.</summary>
    public bool IsWindowed => Kind is ModelKind.ConvolutionalAutoencoder or ModelKind.LstmAutoencoder;

    /// <summary>Throws naming the first invalid option and what is allowed.</summary>
    public void Validate()
    {
        Check(Enum.IsDefined(Kind), nameof(Kind), Kind, string.Join(", ", Enum.GetNames<ModelKind>()));
        Check(HiddenSizes.All(h => h >= 1), nameof(HiddenSizes), HiddenSizes, "widths >= 1");
        Check(CodeSize >= 1, nameof(CodeSize), CodeSize, ">= 1");
        Check(Enum.IsDefined(HiddenActivation), nameof(HiddenActivation), HiddenActivation, string.Join(", ", Enum.GetNames<Activation>()));
        Check(Enum.IsDefined(CodeActivation), nameof(CodeActivation), CodeActivation, string.Join(", ", Enum.GetNames<Activation>()));
        Check(Enum.IsDefined(Loss), nameof(Loss), Loss, string.Join(", ", Enum.GetNames<ReconstructionLoss>()));
        Check(Enum.IsDefined(Score), nameof(Score), Score, string.Join(", ", Enum.GetNames<VaeScore>()));
        Check(Dropout is >= 0 and < 1, nameof(Dropout), Dropout, "[0, 1)");
        Check(Beta >= 0 && double.IsFinite(Beta), nameof(Beta), Beta, ">= 0");
        Check(SparsityWeight >= 0 && double.IsFinite(SparsityWeight), nameof(SparsityWeight), SparsityWeight, ">= 0");
        Check(LeakySlope is > 0 and < 1, nameof(LeakySlope), LeakySlope, "(0, 1)");
        Check(ElboSamples >= 1, nameof(ElboSamples), ElboSamples, ">= 1");
        Check(Members is >= 1 and <= MaxMembers && (Members == 1 || Kind is ModelKind.Autoencoder or ModelKind.VariationalAutoencoder),
            nameof(Members), Members, Kind is ModelKind.Autoencoder or ModelKind.VariationalAutoencoder ? $"[1, {MaxMembers}]" : $"1 for {Kind} (ensembles are of the dense kinds)");
        Check(Members == 1 || Engine == ModelEngine.Native, nameof(Engine), Engine, "Native for an ensemble (Members > 1)");
        Check(WindowSteps >= 1 && (IsWindowed || WindowSteps == 1), nameof(WindowSteps), WindowSteps, IsWindowed ? ">= 1" : "1 (only windowed kinds take windows)");
        Check(Enum.IsDefined(Preset), nameof(Preset), Preset, string.Join(", ", Enum.GetNames<ModelPreset>()));
        Check(Enum.IsDefined(Engine), nameof(Engine), Engine, string.Join(", ", Enum.GetNames<ModelEngine>()));
        Check(Engine == ModelEngine.Native || !IsWindowed, nameof(Engine), Engine, $"Native for {Kind} (the Torch engine runs the AE and the VAE)");
        Check(KernelSize >= 1, nameof(KernelSize), KernelSize, ">= 1");
        Check(Stride >= 1, nameof(Stride), Stride, ">= 1");
        if (IsWindowed)
        {
            // Dropout and the code's L1 penalty belong to the dense stacks; refusing them beats ignoring them silently.
            Check(Dropout == 0, nameof(Dropout), Dropout, $"0 for {Kind}");
            Check(SparsityWeight == 0, nameof(SparsityWeight), SparsityWeight, $"0 for {Kind}");
        }
    }

    private static void Check(bool ok, string key, object value, string allowed) => OptionCheck.Require(ok, key, value, allowed);

    /// <summary>Widths from input to code: input, hidden…, code.</summary>
    public int[] EncoderWidths(int inputSize) => [inputSize, .. HiddenSizes, CodeSize];

    /// <summary>Widths from code to output: code, hidden reversed…, input.</summary>
    public int[] DecoderWidths(int inputSize) => [CodeSize, .. HiddenSizes.Reverse(), inputSize];
}
