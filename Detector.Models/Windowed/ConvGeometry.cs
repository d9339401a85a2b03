using System.Numerics;
using System.Numerics.Tensors;

namespace Detector.Models.Windowed;

/// <summary>
/// The index map of a 1-D convolution with "same" padding over channels-last sequences: a long sequence of
/// <see cref="LongLength"/> steps is read by <see cref="ShortLength"/> = ⌈long / stride⌉ windows of
/// <see cref="Kernel"/> taps; window o, tap j reads long step i = o·stride + j − <see cref="PadLeft"/> (zero outside).
/// A convolution gathers along this map (<see cref="Gather"/>, im2col); its input gradient, and the forward pass of a
/// transposed convolution, scatter-add along it (<see cref="ScatterAdd"/>, col2im). Padding is split as TensorFlow
/// splits it: total = max((short − 1)·stride + kernel − long, 0), left = total / 2.
/// </summary>
public readonly record struct ConvGeometry
{
    /// <summary>Creates the map for a long sequence, a kernel width and a stride.</summary>
    public ConvGeometry(int longLength, int kernel, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(longLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        LongLength = longLength;
        Kernel = kernel;
        Stride = stride;
        ShortLength = (longLength + stride - 1) / stride;
        PadLeft = Math.Max((ShortLength - 1) * stride + kernel - longLength, 0) / 2;
    }

    /// <summary>Steps of the long (convolution input, transposed-convolution output) sequence.</summary>
    public int LongLength { get; }

    /// <summary>Steps of the short (convolution output, transposed-convolution input) sequence.</summary>
    public int ShortLength { get; }

    /// <summary>Taps per window.</summary>
    public int Kernel { get; }

    /// <summary>Long steps between consecutive windows.</summary>
    public int Stride { get; }

    /// <summary>Zero steps added before the long sequence.</summary>
    public int PadLeft { get; }

    /// <summary>
    /// cols[(r, o), (j, c)] = src[r, o·stride + j − padLeft, c] (0 outside): src [rows, long, channels] →
    /// cols [rows·short, kernel·channels]. A window's taps are consecutive long steps, so each cols row is one block copy
    /// of kernel·channels values (less the padded taps at either end).
    /// </summary>
    public void Gather<T>(ReadOnlySpan<T> src, int rows, int channels, Span<T> cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var width = Kernel * channels;
        for (var r = 0; r < rows; r++)
        {
            var source = src.Slice(r * LongLength * channels, LongLength * channels);
            for (var o = 0; o < ShortLength; o++)
            {
                var row = cols.Slice((r * ShortLength + o) * width, width);
                var (first, end) = Taps(o);
                if (end <= first)
                {
                    row.Clear();
                    continue;
                }
                row[..(first * channels)].Clear();
                row[(end * channels)..].Clear();
                var start = o * Stride + first - PadLeft;
                source.Slice(start * channels, (end - first) * channels).CopyTo(row.Slice(first * channels));
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="Gather"/>: dst[r, o·stride + j − padLeft, c] += cols[(r, o), (j, c)]. Within one window
    /// the taps land on distinct steps, so a row is one vector add over a contiguous block; windows are added in order,
    /// so every element receives the same sums in the same order as a tap-by-tap loop.
    /// </summary>
    public void ScatterAdd<T>(ReadOnlySpan<T> cols, int rows, int channels, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var width = Kernel * channels;
        for (var r = 0; r < rows; r++)
        {
            var target = dst.Slice(r * LongLength * channels, LongLength * channels);
            for (var o = 0; o < ShortLength; o++)
            {
                var row = cols.Slice((r * ShortLength + o) * width, width);
                var (first, end) = Taps(o);
                if (end <= first)
                {
                    continue;
                }
                var start = o * Stride + first - PadLeft;
                var into = target.Slice(start * channels, (end - first) * channels);
                TensorPrimitives.Add(into, row.Slice(first * channels, into.Length), into);
            }
        }
    }

    /// <summary>The taps [first, end) of window o that fall inside the long sequence (the rest read padding).</summary>
    private (int First, int End) Taps(int o)
    {
        var start = o * Stride - PadLeft;
        return (Math.Max(0, -start), Math.Min(Kernel, LongLength - start));
    }
}
