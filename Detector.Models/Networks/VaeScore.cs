namespace Detector.Models.Networks;

/// <summary>How a VAE scores a row.</summary>
public enum VaeScore
{
    /// <summary>Reconstruction error of the decoded posterior mean (deterministic).</summary>
    Reconstruction = 1,

    /// <summary>Negative ELBO (reconstruction + β·KL) averaged over L posterior samples.</summary>
    NegativeElbo = 2,
}
