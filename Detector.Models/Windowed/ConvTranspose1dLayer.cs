using System.Numerics;
using Detector.Models.Kernels;
using Detector.Models.Numerics;

namespace Detector.Models.Windowed;

/// <summary>
/// Transposed 1-D convolution (the adjoint of <see cref="Conv1dLayer{T}"/>'s input map), for upsampling decoders:
/// x [rows, inLength, inChannels] → y [rows, outLength, outChannels] where ⌈outLength / stride⌉ = inLength.
/// Forward: z = b + col2im(x·W) with W [inChannels, kernel·outChannels] (each input step adds its kernel taps into the
/// output steps it covers); y = act(z). It is computed by stride phase (<see cref="StridePhases"/>): each output step
/// as one product of the input steps it reads with the taps that reach it, so no kernel-fold product is written and
/// added back. Backward, given dy: dz = dy ⊙ act'(y); db += Σ dz; dp = im2col(dz); dW += xᵀ·dp; dx = dp·Wᵀ.
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

    /// <summary>The stride phases of this layer's map.</summary>
    public StridePhases Phases => new(Geometry);

    /// <summary>Values of <see cref="Forward"/>'s scratch for a batch: the phases' rows and products, and the packed taps.</summary>
    public int ScratchSize(int rows) => Phases.ScratchSize(rows, InChannels, OutChannels) + Weights.Length;

    /// <summary>Values of <see cref="Backward"/>'s dp scratch for a batch: im2col of dz.</summary>
    public int BackwardScratchSize(int rows) => rows * InLength * ColumnWidth;

    /// <summary>y = act(b + col2im(x·W)), by stride phase; scratch holds <see cref="ScratchSize"/> values.</summary>
    public void Forward(IKernels<T> k, ReadOnlySpan<T> x, int rows, Span<T> scratch, Span<T> y)
    {
        var phases = Phases;
        var packed = scratch.Slice(scratch.Length - Weights.Length, Weights.Length);
        // W [c, (j, c')]: tap stride outChannels, input-channel stride kernel·outChannels, output channels contiguous.
        phases.Pack<T>(Weights, InChannels, OutChannels, OutChannels, ColumnWidth, 1, packed);
        var yr = y[..(rows * OutputSize)];
        phases.Run(k, x, rows, InChannels, packed, OutChannels, Bias, scratch[..^Weights.Length], yr);
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
