using System.Numerics;
using Detector.Models.Kernels;

namespace Detector.Models.Networks;

/// <summary>
/// The reconstruction losses, as used in training (mean over every element of the batch) and in scoring
/// (mean over a row's features). MSE: e = (r - t)², ∂mean/∂r = 2(r - t)/N. BCE on logits z:
/// e = softplus(z) - t·z, ∂mean/∂z = (σ(z) - t)/N.
/// </summary>
public static class ReconstructionLosses
{
    /// <summary>Per-element errors and per-row means of target against the network output.</summary>
    public static void Evaluate<T>(IKernels<T> k, ReconstructionLoss loss, ReadOnlySpan<T> target, ReadOnlySpan<T> output,
        int rows, int cols, Span<T> errors, Span<T> rowMeans) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (loss == ReconstructionLoss.BinaryCrossEntropy)
        {
            k.BinaryCrossEntropyWithLogits(target, output, rows, cols, errors, rowMeans);
        }
        else
        {
            k.SquaredError(target, output, rows, cols, errors, rowMeans);
        }
    }

    /// <summary>dOut = weight·∂(mean over all rows·cols elements)/∂output.</summary>
    public static void Gradient<T>(IKernels<T> k, ReconstructionLoss loss, ReadOnlySpan<T> target, ReadOnlySpan<T> output,
        int rows, int cols, T weight, Span<T> dOut) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = rows * cols;
        var inv = weight / T.CreateChecked(n);
        if (loss == ReconstructionLoss.BinaryCrossEntropy)
        {
            k.SigmoidDifference(output[..n], target[..n], inv, dOut[..n]);
        }
        else
        {
            k.ScaledDifference(output[..n], target[..n], inv + inv, dOut[..n]);
        }
    }

    /// <summary>Mean of the first rows entries, accumulated in double.</summary>
    public static double Mean<T>(ReadOnlySpan<T> rowMeans, int rows) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sum = 0.0;
        for (var i = 0; i < rows; i++)
        {
            sum += double.CreateTruncating(rowMeans[i]);
        }
        return sum / rows;
    }
}
