namespace Detector.Models.Training;

/// <summary>Input corruption for denoising autoencoders (training only; the target stays clean).</summary>
public enum NoiseKind
{
    /// <summary>No corruption.</summary>
    None = 0,

    /// <summary>x + σ·N(0, 1), σ = NoiseLevel (in scaled units).</summary>
    Gaussian = 1,

    /// <summary>Each feature set to 0 with probability NoiseLevel.</summary>
    Masking = 2,
}
