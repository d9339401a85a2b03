using System.Numerics;
using System.Numerics.Tensors;
using Detector.Models.Kernels;

namespace Detector.Models.Windowed;

/// <summary>
/// A transposed convolution along a <see cref="ConvGeometry"/> (short sequence → long sequence: the forward pass of
/// <see cref="ConvTranspose1dLayer{T}"/> and the input gradient of <see cref="Conv1dLayer{T}"/>) computed by stride
/// phase, the polyphase form. Long step t receives only the taps j ≡ (t + padLeft) mod stride, from consecutive short
/// steps: with q = ⌊(t + padLeft) / stride⌋ and M the taps of that phase, slot u = 0 … M−1 holds short step
/// q − M + 1 + u through tap j = phase + (M − 1 − u)·stride. So each phase is a gather of one contiguous block per long
/// step (im2col over the short sequence, <see cref="Gather"/>) and one product with that phase's taps
/// [M·shortChannels, longChannels] (<see cref="Pack"/>): dst[t] = Σ_u Σ_c src[q − M + 1 + u, c]·W_phase[(u, c), ·].
/// Against "product with every tap, then col2im" it writes no kernel-fold product buffer, adds nothing back, and its
/// products are M·channels deep (64 for SKAB's Conv-AE) instead of channels deep (16), where OpenBLAS is far from its
/// peak. The rows of a phase are gathered phase-major (phase, window, step), multiplied, and copied into place.
/// </summary>
public readonly record struct StridePhases
{
    /// <summary>Creates the phases of a geometry.</summary>
    public StridePhases(ConvGeometry geometry)
    {
        Geometry = geometry;
    }

    /// <summary>The index map (its long side is the output here).</summary>
    public ConvGeometry Geometry { get; }

    /// <summary>Phases: the stride.</summary>
    public int Count => Geometry.Stride;

    /// <summary>Taps of phase φ: ⌈(kernel − φ) / stride⌉, 0 when the kernel is narrower than the phase.</summary>
    public int Taps(int phase) => Math.Max(Geometry.Kernel - phase + Geometry.Stride - 1, 0) / Geometry.Stride;

    /// <summary>The kernel tap j that slot u of phase φ multiplies.</summary>
    public int Tap(int phase, int slot) => phase + (Taps(phase) - 1 - slot) * Geometry.Stride;

    /// <summary>Long steps of phase φ in one window.</summary>
    public int Steps(int phase)
    {
        var first = First(phase);
        return first >= Geometry.LongLength ? 0 : (Geometry.LongLength - first + Geometry.Stride - 1) / Geometry.Stride;
    }

    /// <summary>Values of the packed phase weights: kernel · shortChannels · longChannels (every tap once).</summary>
    public int WeightSize(int shortChannels, int longChannels) => Geometry.Kernel * shortChannels * longChannels;

    /// <summary>Offset of phase φ's [M·shortChannels, longChannels] block in the packed weights.</summary>
    public int WeightOffset(int phase, int shortChannels, int longChannels)
    {
        var offset = 0;
        for (var f = 0; f < phase; f++)
        {
            offset += Taps(f) * shortChannels * longChannels;
        }
        return offset;
    }

    /// <summary>Scratch values for <see cref="Run"/>: the largest phase's gathered rows and products.</summary>
    public int ScratchSize(int rows, int shortChannels, int longChannels)
    {
        var most = 0;
        for (var f = 0; f < Count; f++)
        {
            most = Math.Max(most, rows * Steps(f) * (Taps(f) * shortChannels + longChannels));
        }
        return most;
    }

    /// <summary>
    /// Packs weights given as w(j, c, o) — tap j, short channel c, long channel o, at index
    /// tapStride·j + shortStride·c + longStride·o of <paramref name="weights"/> — into the phases' blocks.
    /// </summary>
    public void Pack<T>(ReadOnlySpan<T> weights, int shortChannels, int longChannels, int tapStride, int shortStride, int longStride,
        Span<T> packed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var at = 0;
        for (var f = 0; f < Count; f++)
        {
            for (var u = 0; u < Taps(f); u++)
            {
                var j = Tap(f, u);
                for (var c = 0; c < shortChannels; c++)
                {
                    var from = tapStride * j + shortStride * c;
                    if (longStride == 1)
                    {
                        weights.Slice(from, longChannels).CopyTo(packed.Slice(at, longChannels));
                        at += longChannels;
                        continue;
                    }
                    for (var o = 0; o < longChannels; o++)
                    {
                        packed[at++] = weights[from + longStride * o];
                    }
                }
            }
        }
    }

    /// <summary>
    /// dst [rows, long, longChannels] = bias + transposed convolution of src [rows, short, shortChannels] with the packed
    /// weights (<see cref="Pack"/>); an empty bias adds nothing. scratch holds <see cref="ScratchSize"/> values.
    /// </summary>
    public void Run<T>(IKernels<T> k, ReadOnlySpan<T> src, int rows, int shortChannels, ReadOnlySpan<T> packed, int longChannels,
        ReadOnlySpan<T> bias, Span<T> scratch, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var f = 0; f < Count; f++)
        {
            var taps = Taps(f);
            var n = rows * Steps(f);
            if (n == 0)
            {
                continue;
            }
            var width = taps * shortChannels;
            var products = scratch.Slice(n * width, n * longChannels);
            if (taps == 0)
            {
                products.Clear();
            }
            else
            {
                var cols = scratch[..(n * width)];
                Gather(src, rows, shortChannels, f, cols);
                // products [n, longChannels] = cols [n, taps·shortChannels] · W_f [taps·shortChannels, longChannels]
                k.Gemm(false, false, n, longChannels, width, T.One, cols, width,
                    packed.Slice(WeightOffset(f, shortChannels, longChannels), width * longChannels), longChannels, T.Zero, products, longChannels);
            }
            Place(products, rows, longChannels, f, bias, dst);
        }
    }

    /// <summary>
    /// The rows of phase φ, window by window, step by step: cols[(r, t), (u, c)] = src[r, q − M + 1 + u, c] (0 outside),
    /// one block copy of the window's consecutive short steps per row.
    /// </summary>
    public void Gather<T>(ReadOnlySpan<T> src, int rows, int channels, int phase, Span<T> cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = Geometry;
        var taps = Taps(phase);
        var width = taps * channels;
        var at = 0;
        for (var r = 0; r < rows; r++)
        {
            var source = src.Slice(r * g.ShortLength * channels, g.ShortLength * channels);
            for (var t = First(phase); t < g.LongLength; t += g.Stride)
            {
                var row = cols.Slice(at, width);
                at += width;
                var start = (t + g.PadLeft) / g.Stride - taps + 1;
                var lo = Math.Max(start, 0);
                var hi = Math.Min(start + taps, g.ShortLength);
                if (hi <= lo)
                {
                    row.Clear();
                    continue;
                }
                row[..((lo - start) * channels)].Clear();
                row[((hi - start) * channels)..].Clear();
                source.Slice(lo * channels, (hi - lo) * channels).CopyTo(row.Slice((lo - start) * channels));
            }
        }
    }

    /// <summary>Copies phase φ's product rows to their long steps in dst, adding the bias when it is non-empty.</summary>
    private void Place<T>(ReadOnlySpan<T> products, int rows, int channels, int phase, ReadOnlySpan<T> bias, Span<T> dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = Geometry;
        var at = 0;
        for (var r = 0; r < rows; r++)
        {
            for (var t = First(phase); t < g.LongLength; t += g.Stride)
            {
                var from = products.Slice(at, channels);
                at += channels;
                var to = dst.Slice((r * g.LongLength + t) * channels, channels);
                if (bias.IsEmpty)
                {
                    from.CopyTo(to);
                }
                else
                {
                    TensorPrimitives.Add(bias, from, to);
                }
            }
        }
    }

    /// <summary>The first long step of phase φ in a window: t in [0, long) with (t + padLeft) mod stride = φ.</summary>
    private int First(int phase) => ((phase - Geometry.PadLeft) % Geometry.Stride + Geometry.Stride) % Geometry.Stride;
}
