using System.Numerics;

namespace Detector.Models.Kernels;

/// <summary>One Adam/AdamW step's constants, bias corrections folded in.</summary>
/// <param name="LearningRate">Step size.</param>
/// <param name="Beta1">First-moment decay.</param>
/// <param name="Beta2">Second-moment decay.</param>
/// <param name="Epsilon">Denominator floor.</param>
/// <param name="WeightDecay">L2 coefficient: added to the gradient (Adam) or applied to the weight directly (AdamW).</param>
/// <param name="Decoupled">True for AdamW.</param>
/// <param name="Step">1-based step number, for bias correction.</param>
public readonly record struct AdamStepArgs<T>(T LearningRate, T Beta1, T Beta2, T Epsilon, T WeightDecay, bool Decoupled, int Step)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>1 - β1^t.</summary>
    public T Correction1 => T.One - T.Pow(Beta1, T.CreateChecked(Step));

    /// <summary>1 - β2^t.</summary>
    public T Correction2 => T.One - T.Pow(Beta2, T.CreateChecked(Step));
}
