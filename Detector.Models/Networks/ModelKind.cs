namespace Detector.Models.Networks;

/// <summary>Which reconstruction network a model is.</summary>
public enum ModelKind
{
    /// <summary>Dense autoencoder (optionally denoising and/or sparse).</summary>
    Autoencoder = 1,

    /// <summary>Variational autoencoder: encoder to (μ, log σ²), reparameterisation, decoder.</summary>
    VariationalAutoencoder = 2,

    /// <summary>1-D convolutional autoencoder over windows of <see cref="ModelOptions.WindowSteps"/> steps × S sensors.</summary>
    ConvolutionalAutoencoder = 3,

    /// <summary>Sequence-to-sequence LSTM autoencoder over windows of <see cref="ModelOptions.WindowSteps"/> steps × S sensors.</summary>
    LstmAutoencoder = 4,

    /// <summary>
    /// A PyTorch module brought by the user (TorchScript, from <c>detector import</c>) mapping rows to their
    /// reconstruction; it runs on the Torch engine only and is imported, never trained.
    /// </summary>
    TorchScript = 5,
}
