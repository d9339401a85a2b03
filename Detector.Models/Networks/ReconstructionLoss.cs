namespace Detector.Models.Networks;

/// <summary>How reconstruction error is measured, in training and in scoring.</summary>
public enum ReconstructionLoss
{
    /// <summary>Mean squared error over features.</summary>
    MeanSquaredError = 1,

    /// <summary>Binary cross-entropy of sigmoid(output) against targets in [0, 1].</summary>
    BinaryCrossEntropy = 2,
}
