using System.Numerics;
using Detector.Models.Kernels;
using Detector.Models.Numerics;

namespace Detector.Models.Layers;

/// <summary>
/// y = act(x·W + b). Forward: x [rows, in] → y [rows, out] with W [in, out], b [out].
/// Backward, given dy: dz = dy ⊙ act'(y); dW += xᵀ·dz; db += Σ_rows dz; dx = dz·Wᵀ.
/// </summary>
public sealed class DenseLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a layer around existing weights (no copy).</summary>
    public DenseLayer(int inputSize, int outputSize, Activation activation, T slope, T[] weights, T[] bias)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputSize, 1);
        if (weights.Length != inputSize * outputSize || bias.Length != outputSize)
        {
            throw new ArgumentException($"dense {inputSize}x{outputSize}: expected {inputSize * outputSize} weights and {outputSize} biases, got {weights.Length} and {bias.Length}");
        }
        InputSize = inputSize;
        OutputSize = outputSize;
        Activation = activation;
        Slope = slope;
        Weights = weights;
        Bias = bias;
    }

    /// <summary>Input width.</summary>
    public int InputSize { get; }

    /// <summary>Output width.</summary>
    public int OutputSize { get; }

    /// <summary>Activation applied to x·W + b.</summary>
    public Activation Activation { get; }

    /// <summary>Negative-side slope of LeakyReLU (unused otherwise).</summary>
    public T Slope { get; }

    /// <summary>W: [in, out], row-major.</summary>
    public T[] Weights { get; }

    /// <summary>b: [out].</summary>
    public T[] Bias { get; }

    /// <summary>PyTorch's default initialisation: W, b ~ U(-1/√in, 1/√in).</summary>
    public static DenseLayer<T> Create(int inputSize, int outputSize, Activation activation, T slope, ref Rng rng)
    {
        var bound = 1.0 / Math.Sqrt(inputSize);
        var w = new T[inputSize * outputSize];
        var b = new T[outputSize];
        for (var i = 0; i < w.Length; i++)
        {
            w[i] = T.CreateTruncating((2 * rng.NextDouble() - 1) * bound);
        }
        for (var i = 0; i < b.Length; i++)
        {
            b[i] = T.CreateTruncating((2 * rng.NextDouble() - 1) * bound);
        }
        return new DenseLayer<T>(inputSize, outputSize, activation, slope, w, b);
    }

    /// <summary>A deep copy in another precision.</summary>
    public DenseLayer<TOut> Convert<TOut>() where TOut : unmanaged, IFloatingPointIeee754<TOut> =>
        new(InputSize, OutputSize, Activation, TOut.CreateTruncating(Slope),
            Array.ConvertAll(Weights, TOut.CreateTruncating), Array.ConvertAll(Bias, TOut.CreateTruncating));

    /// <summary>y = act(x·W + b).</summary>
    public void Forward(IKernels<T> k, ReadOnlySpan<T> x, int rows, Span<T> y) =>
        k.Linear(x, rows, InputSize, Weights, Bias, OutputSize, Activation, Slope, y);

    /// <summary>
    /// Accumulates dW and db from x, y and dy; writes dx when it is non-empty. dz is scratch of rows·out.
    /// </summary>
    public void Backward(IKernels<T> k, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, int rows,
        Span<T> dz, T[] gradWeights, T[] gradBias, Span<T> dx)
    {
        var n = rows * OutputSize;
        var dzr = dz[..n];
        k.ActivationBackward(Activation, Slope, y[..n], dy[..n], dzr);
        // dW [in, out] += xᵀ [in, rows] · dz [rows, out]
        k.Gemm(true, false, InputSize, OutputSize, rows, T.One, x, InputSize, dzr, OutputSize, T.One, gradWeights, OutputSize);
        k.AddColumnSums(dzr, rows, OutputSize, gradBias);
        if (!dx.IsEmpty)
        {
            // dx [rows, in] = dz [rows, out] · Wᵀ [out, in]
            k.Gemm(false, true, rows, InputSize, OutputSize, T.One, dzr, OutputSize, Weights, OutputSize, T.Zero, dx, InputSize);
        }
    }
}
