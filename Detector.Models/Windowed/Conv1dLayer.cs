using System.Numerics;
using Detector.Models.Kernels;
using Detector.Models.Numerics;

namespace Detector.Models.Windowed;

/// <summary>
/// 1-D convolution over channels-last sequences with "same" padding (see <see cref="ConvGeometry"/>):
/// x [rows, inLength, inChannels] → y [rows, outLength, outChannels], outLength = ⌈inLength / stride⌉.
/// Forward: cols = im2col(x) [rows·outLength, kernel·inChannels]; y = act(cols·W + b) with W [kernel·inChannels, outChannels].
/// Backward, given dy: dz = dy ⊙ act'(y); dW += colsᵀ·dz; db += Σ dz; dx = col2im(dz·Wᵀ), by stride phase.
/// Written as im2col plus one dense product so the dense kernels (and their oracle) carry the arithmetic.
/// A stride-1 layer with an odd kernel that narrows the channels (the autoencoders' output layer, 32 → S sensors) is
/// computed in the transposed form instead: im2col would copy its input kernel-fold and feed a product only S columns
/// wide, so the layer was memory-bound (docs/quality.md). With "same" padding and an odd kernel the convolution equals a
/// transposed convolution with the taps reversed: p = x·W' [rows·length, kernel·outChannels] with
/// W'[c, (j, o)] = W[(kernel−1−j, c), o]; y = act(b + col2im(p)). Backward: dp = im2col(dz); dW' = xᵀ·dp; dx = dp·W'ᵀ.
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

    /// <summary>True when the layer runs in the transposed form (stride 1, odd kernel, fewer output than input channels).</summary>
    public bool Transposed => Geometry.Stride == 1 && Geometry.Kernel % 2 == 1 && OutChannels < InChannels;

    /// <summary>
    /// Values of forward scratch for a batch (passed to <see cref="Forward"/> and kept for <see cref="Backward"/>): the
    /// im2col columns, or the transposed form's products and reordered weights.
    /// </summary>
    public int ScratchSize(int rows) => Transposed
        ? rows * OutLength * Geometry.Kernel * OutChannels + Weights.Length
        : rows * OutLength * ColumnWidth;

    /// <summary>
    /// Values of <see cref="Backward"/>'s dcols scratch for a batch: the transposed form's dp and dW', or the stride
    /// phases' rows, products and packed taps of dx.
    /// </summary>
    public int BackwardScratchSize(int rows) => Transposed
        ? ScratchSize(rows)
        : new StridePhases(Geometry).ScratchSize(rows, OutChannels, InChannels) + Weights.Length;

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

    /// <summary>
    /// y = act(im2col(x)·W + b); cols (<see cref="ScratchSize"/> values) is kept for <see cref="Backward"/>.
    /// </summary>
    public void Forward(IKernels<T> k, ReadOnlySpan<T> x, int rows, Span<T> cols, Span<T> y)
    {
        if (Transposed)
        {
            ForwardTransposed(k, x, rows, cols, y);
            return;
        }
        Geometry.Gather(x, rows, InChannels, cols);
        k.Linear(cols, rows * OutLength, ColumnWidth, Weights, Bias, OutChannels, Activation, Slope, y);
    }

    /// <summary>
    /// Accumulates dW and db from the forward pass's input x, scratch cols, y and dy; writes dx when it is non-empty
    /// (dcols is then scratch of <see cref="BackwardScratchSize"/> values). dz is scratch of rows · outLength · outChannels.
    /// dx is the transposed convolution of dz, computed by stride phase (<see cref="StridePhases"/>): each input step as
    /// one product of the dz steps that read it with the taps they read it through, instead of dcols = dz·Wᵀ and col2im.
    /// </summary>
    public void Backward(IKernels<T> k, ReadOnlySpan<T> x, ReadOnlySpan<T> cols, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, int rows,
        Span<T> dz, Span<T> dcols, T[] gradWeights, T[] gradBias, Span<T> dx)
    {
        var positions = rows * OutLength;
        var dzr = dz[..(positions * OutChannels)];
        k.ActivationBackward(Activation, Slope, y[..dzr.Length], dy[..dzr.Length], dzr);
        k.AddColumnSums(dzr, positions, OutChannels, gradBias);
        if (Transposed)
        {
            BackwardTransposed(k, x, cols, rows, dzr, dcols, gradWeights, dx);
            return;
        }
        // dW [kernel·in, out] += colsᵀ [kernel·in, positions] · dz [positions, out]
        k.Gemm(true, false, ColumnWidth, OutChannels, positions, T.One, cols, ColumnWidth, dzr, OutChannels, T.One, gradWeights, OutChannels);
        if (dx.IsEmpty)
        {
            return;
        }
        // dx [rows, inLength, in] = Σ over the taps that read each input step of dz · Wᵀ; W [(j, c), o] read as
        // w(j, o, c): tap stride in·out, dz-channel stride 1, dx-channel stride out.
        var phases = new StridePhases(Geometry);
        var packed = dcols.Slice(dcols.Length - Weights.Length, Weights.Length);
        phases.Pack<T>(Weights, OutChannels, InChannels, InChannels * OutChannels, 1, OutChannels, packed);
        phases.Run(k, dzr, rows, OutChannels, packed, InChannels, [], dcols[..^Weights.Length], dx[..(rows * InputSize)]);
    }

    /// <summary>Transposed form: scratch = [p: rows·length·kernel·out | W': in·kernel·out].</summary>
    private void ForwardTransposed(IKernels<T> k, ReadOnlySpan<T> x, int rows, Span<T> scratch, Span<T> y)
    {
        var positions = rows * OutLength;
        var width = Geometry.Kernel * OutChannels;
        var p = scratch[..(positions * width)];
        var reordered = scratch.Slice(positions * width, Weights.Length);
        Reorder(Weights, reordered, toTransposed: true);
        // p [positions, kernel·out] = x [positions, in] · W' [in, kernel·out]
        k.Gemm(false, false, positions, width, InChannels, T.One, x, InChannels, reordered, width, T.Zero, p, width);
        var yr = y[..(positions * OutChannels)];
        for (var s = 0; s < positions; s++)
        {
            Bias.CopyTo(yr.Slice(s * OutChannels, OutChannels));
        }
        Geometry.ScatterAdd<T>(p, rows, OutChannels, yr);
        Activations.ApplyInPlace(Activation, Slope, yr);
    }

    /// <summary>Transposed form's dW and dx from dz; dcols = [dp: rows·length·kernel·out | dW': in·kernel·out].</summary>
    private void BackwardTransposed(IKernels<T> k, ReadOnlySpan<T> x, ReadOnlySpan<T> scratch, int rows, ReadOnlySpan<T> dz,
        Span<T> dcols, T[] gradWeights, Span<T> dx)
    {
        var positions = rows * OutLength;
        var width = Geometry.Kernel * OutChannels;
        var dp = dcols[..(positions * width)];
        var dReordered = dcols.Slice(positions * width, Weights.Length);
        Geometry.Gather(dz, rows, OutChannels, dp);
        // dW' [in, kernel·out] = xᵀ [in, positions] · dp [positions, kernel·out], added into dW in its own layout
        k.Gemm(true, false, InChannels, width, positions, T.One, x, InChannels, dp, width, T.Zero, dReordered, width);
        Reorder(gradWeights, dReordered, toTransposed: false);
        if (!dx.IsEmpty)
        {
            // dx [positions, in] = dp [positions, kernel·out] · W'ᵀ [kernel·out, in]
            var reordered = scratch.Slice(positions * width, Weights.Length);
            k.Gemm(false, true, positions, InChannels, width, T.One, dp, width, reordered, width, T.Zero, dx, InChannels);
        }
    }

    /// <summary>
    /// Between W [(j, c), o] and W' [c, (kernel−1−j, o)]: copies w into transposed when toTransposed, else adds
    /// transposed into w (the gradient's way back).
    /// </summary>
    private void Reorder(Span<T> w, Span<T> transposed, bool toTransposed)
    {
        var kernel = Geometry.Kernel;
        for (var j = 0; j < kernel; j++)
        {
            for (var c = 0; c < InChannels; c++)
            {
                var from = w.Slice((j * InChannels + c) * OutChannels, OutChannels);
                var to = transposed.Slice((c * kernel + kernel - 1 - j) * OutChannels, OutChannels);
                if (toTransposed)
                {
                    from.CopyTo(to);
                }
                else
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(from, to, from);
                }
            }
        }
    }
}
