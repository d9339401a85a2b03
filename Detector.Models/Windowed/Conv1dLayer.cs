using System.Numerics;
using Detector.Models.Kernels;
using Detector.Models.Numerics;

namespace Detector.Models.Windowed;

/// <summary>
/// 1-D convolution over channels-last sequences with "same" padding (see <see cref="ConvGeometry"/>):
/// x [rows, inLength, inChannels] → y [rows, outLength, outChannels], outLength = ⌈inLength / stride⌉.
/// Forward: cols = im2col(x) [rows·outLength, kernel·inChannels]; y = act(cols·W + b) with W [kernel·inChannels, outChannels].
/// Backward, given dy: dz = dy ⊙ act'(y); dW += colsᵀ·dz; db += Σ dz; dcols = dz·Wᵀ; dx = col2im(dcols).
/// Written as im2col plus one dense product so the dense kernels (and their oracle) carry the arithmetic.
/// </summary>
public sealed class Conv1dLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a layer around existing weights (no copy).</summary>
    public Conv1dLayer(int inLength, int inChannels, int outChannels, int kernel, int stride, Activation activation, T slope,
        T[] weights, T[] bias)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        Geometry = new ConvGeometry(inLength, kernel, stride);
        if (weights.Length != kernel * inChannels * outChannels || bias.Length != outChannels)
        {
            throw new ArgumentException($"conv1d {inChannels}→{outChannels} (kernel {kernel}): expected {kernel * inChannels * outChannels} weights and {outChannels} biases, got {weights.Length} and {bias.Length}");
        }
        InChannels = inChannels;
        OutChannels = outChannels;
        Activation = activation;
        Slope = slope;
        Weights = weights;
        Bias = bias;
    }

    /// <summary>The index map between input steps and output steps.</summary>
    public ConvGeometry Geometry { get; }

    /// <summary>Input steps.</summary>
    public int InLength => Geometry.LongLength;

    /// <summary>Output steps.</summary>
    public int OutLength => Geometry.ShortLength;

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels (filters).</summary>
    public int OutChannels { get; }

    /// <summary>Values per input row: inLength · inChannels.</summary>
    public int InputSize => InLength * InChannels;

    /// <summary>Values per output row: outLength · outChannels.</summary>
    public int OutputSize => OutLength * OutChannels;

    /// <summary>Width of one im2col row: kernel · inChannels.</summary>
    public int ColumnWidth => Geometry.Kernel * InChannels;

    /// <summary>Activation applied after the convolution.</summary>
    public Activation Activation { get; }

    /// <summary>Negative-side slope of LeakyReLU.</summary>
    public T Slope { get; }

    /// <summary>W: [kernel · inChannels, outChannels], row (j, c) for tap j and input channel c.</summary>
    public T[] Weights { get; }

    /// <summary>b: [outChannels].</summary>
    public T[] Bias { get; }

    /// <summary>PyTorch's default initialisation: W, b ~ U(−1/√(kernel·in), 1/√(kernel·in)).</summary>
    public static Conv1dLayer<T> Create(int inLength, int inChannels, int outChannels, int kernel, int stride,
        Activation activation, T slope, ref Rng rng)
    {
        var fanIn = kernel * inChannels;
        return new Conv1dLayer<T>(inLength, inChannels, outChannels, kernel, stride, activation, slope,
            Initialise.Uniform<T>(fanIn * outChannels, fanIn, ref rng), Initialise.Uniform<T>(outChannels, fanIn, ref rng));
    }

    /// <summary>A deep copy in another precision.</summary>
    public Conv1dLayer<TOut> Convert<TOut>() where TOut : unmanaged, IFloatingPointIeee754<TOut> =>
        new(InLength, InChannels, OutChannels, Geometry.Kernel, Geometry.Stride, Activation, TOut.CreateTruncating(Slope),
            Array.ConvertAll(Weights, TOut.CreateTruncating), Array.ConvertAll(Bias, TOut.CreateTruncating));

    /// <summary>y = act(im2col(x)·W + b); cols [rows·outLength·kernel·inChannels] is kept for <see cref="Backward"/>.</summary>
    public void Forward(IKernels<T> k, ReadOnlySpan<T> x, int rows, Span<T> cols, Span<T> y)
    {
        Geometry.Gather(x, rows, InChannels, cols);
        k.Linear(cols, rows * OutLength, ColumnWidth, Weights, Bias, OutChannels, Activation, Slope, y);
    }

    /// <summary>
    /// Accumulates dW and db from the forward pass's cols, y and dy; writes dx when it is non-empty (dcols is then
    /// scratch of the cols' size). dz is scratch of rows · outLength · outChannels.
    /// </summary>
    public void Backward(IKernels<T> k, ReadOnlySpan<T> cols, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, int rows, Span<T> dz,
        Span<T> dcols, T[] gradWeights, T[] gradBias, Span<T> dx)
    {
        var positions = rows * OutLength;
        var dzr = dz[..(positions * OutChannels)];
        k.ActivationBackward(Activation, Slope, y[..dzr.Length], dy[..dzr.Length], dzr);
        // dW [kernel·in, out] += colsᵀ [kernel·in, positions] · dz [positions, out]
        k.Gemm(true, false, ColumnWidth, OutChannels, positions, T.One, cols, ColumnWidth, dzr, OutChannels, T.One, gradWeights, OutChannels);
        k.AddColumnSums(dzr, positions, OutChannels, gradBias);
        if (dx.IsEmpty)
        {
            return;
        }
        // dcols [positions, kernel·in] = dz [positions, out] · Wᵀ [out, kernel·in]
        k.Gemm(false, true, positions, ColumnWidth, OutChannels, T.One, dzr, OutChannels, Weights, OutChannels, T.Zero, dcols, ColumnWidth);
        dx[..(rows * InputSize)].Clear();
        Geometry.ScatterAdd<T>(dcols, rows, InChannels, dx);
    }
}
