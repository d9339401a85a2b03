using System.Numerics;
using Detector.Models.Kernels;
using Detector.Models.Numerics;

namespace Detector.Models.Windowed;

/// <summary>
/// Transposed 1-D convolution (the adjoint of <see cref="Conv1dLayer{T}"/>'s input map), for upsampling decoders:
/// x [rows, inLength, inChannels] → y [rows, outLength, outChannels] where ⌈outLength / stride⌉ = inLength.
/// Forward: p = x·W [rows·inLength, kernel·outChannels] with W [inChannels, kernel·outChannels];
/// z = b + col2im(p) (each input step adds its kernel taps into the output steps it covers); y = act(z).
/// Backward, given dy: dz = dy ⊙ act'(y); db += Σ dz; dp = im2col(dz); dW += xᵀ·dp; dx = dp·Wᵀ.
/// </summary>
public sealed class ConvTranspose1dLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a layer around existing weights (no copy).</summary>
    public ConvTranspose1dLayer(int inLength, int inChannels, int outLength, int outChannels, int kernel, int stride,
        Activation activation, T slope, T[] weights, T[] bias)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        Geometry = new ConvGeometry(outLength, kernel, stride);
        if (Geometry.ShortLength != inLength)
        {
            throw new ArgumentException($"a transposed convolution with stride {stride} cannot map {inLength} steps to {outLength} (⌈{outLength}/{stride}⌉ = {Geometry.ShortLength})");
        }
        if (weights.Length != inChannels * kernel * outChannels || bias.Length != outChannels)
        {
            throw new ArgumentException($"conv-transpose1d {inChannels}→{outChannels} (kernel {kernel}): expected {inChannels * kernel * outChannels} weights and {outChannels} biases, got {weights.Length} and {bias.Length}");
        }
        InChannels = inChannels;
        OutChannels = outChannels;
        Activation = activation;
        Slope = slope;
        Weights = weights;
        Bias = bias;
    }

    /// <summary>The index map (its long side is this layer's output).</summary>
    public ConvGeometry Geometry { get; }

    /// <summary>Input steps.</summary>
    public int InLength => Geometry.ShortLength;

    /// <summary>Output steps.</summary>
    public int OutLength => Geometry.LongLength;

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Values per input row.</summary>
    public int InputSize => InLength * InChannels;

    /// <summary>Values per output row.</summary>
    public int OutputSize => OutLength * OutChannels;

    /// <summary>Width of one product row: kernel · outChannels.</summary>
    public int ColumnWidth => Geometry.Kernel * OutChannels;

    /// <summary>Activation applied after the transposed convolution.</summary>
    public Activation Activation { get; }

    /// <summary>Negative-side slope of LeakyReLU.</summary>
    public T Slope { get; }

    /// <summary>W: [inChannels, kernel · outChannels], column (j, c) for tap j and output channel c.</summary>
    public T[] Weights { get; }

    /// <summary>b: [outChannels].</summary>
    public T[] Bias { get; }

    /// <summary>W, b ~ U(−1/√(kernel·in), 1/√(kernel·in)).</summary>
    public static ConvTranspose1dLayer<T> Create(int inLength, int inChannels, int outLength, int outChannels, int kernel,
        int stride, Activation activation, T slope, ref Rng rng)
    {
        var fanIn = kernel * inChannels;
        return new ConvTranspose1dLayer<T>(inLength, inChannels, outLength, outChannels, kernel, stride, activation, slope,
            Initialise.Uniform<T>(inChannels * kernel * outChannels, fanIn, ref rng), Initialise.Uniform<T>(outChannels, fanIn, ref rng));
    }

    /// <summary>A deep copy in another precision.</summary>
    public ConvTranspose1dLayer<TOut> Convert<TOut>() where TOut : unmanaged, IFloatingPointIeee754<TOut> =>
        new(InLength, InChannels, OutLength, OutChannels, Geometry.Kernel, Geometry.Stride, Activation, TOut.CreateTruncating(Slope),
            Array.ConvertAll(Weights, TOut.CreateTruncating), Array.ConvertAll(Bias, TOut.CreateTruncating));

    /// <summary>y = act(b + col2im(x·W)); p [rows·inLength·kernel·outChannels] is scratch.</summary>
    public void Forward(IKernels<T> k, ReadOnlySpan<T> x, int rows, Span<T> p, Span<T> y)
    {
        var positions = rows * InLength;
        // p [positions, kernel·out] = x [positions, in] · W [in, kernel·out]
        k.Gemm(false, false, positions, ColumnWidth, InChannels, T.One, x, InChannels, Weights, ColumnWidth, T.Zero, p, ColumnWidth);
        var yr = y[..(rows * OutputSize)];
        for (var s = 0; s < rows * OutLength; s++)
        {
            Bias.CopyTo(yr.Slice(s * OutChannels, OutChannels));
        }
        Geometry.ScatterAdd<T>(p, rows, OutChannels, yr);
        Activations.ApplyInPlace(Activation, Slope, yr);
    }

    /// <summary>
    /// Accumulates dW and db from x, y and dy; writes dx when it is non-empty. dz is scratch of rows·outLength·outChannels,
    /// dp of rows·inLength·kernel·outChannels.
    /// </summary>
    public void Backward(IKernels<T> k, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, int rows, Span<T> dz,
        Span<T> dp, T[] gradWeights, T[] gradBias, Span<T> dx)
    {
        var n = rows * OutputSize;
        var dzr = dz[..n];
        k.ActivationBackward(Activation, Slope, y[..n], dy[..n], dzr);
        k.AddColumnSums(dzr, rows * OutLength, OutChannels, gradBias);
        var positions = rows * InLength;
        Geometry.Gather<T>(dzr, rows, OutChannels, dp);
        // dW [in, kernel·out] += xᵀ [in, positions] · dp [positions, kernel·out]
        k.Gemm(true, false, InChannels, ColumnWidth, positions, T.One, x, InChannels, dp, ColumnWidth, T.One, gradWeights, ColumnWidth);
        if (!dx.IsEmpty)
        {
            // dx [positions, in] = dp [positions, kernel·out] · Wᵀ [kernel·out, in]
            k.Gemm(false, true, positions, InChannels, ColumnWidth, T.One, dp, ColumnWidth, Weights, ColumnWidth, T.Zero, dx, InChannels);
        }
    }
}
