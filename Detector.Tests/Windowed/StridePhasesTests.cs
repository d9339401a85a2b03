using Detector.Models.Kernels;
using Detector.Models.Numerics;
using Detector.Models.Windowed;
using Xunit;

namespace Detector.Tests.Windowed;

/// <summary>
/// The polyphase transposed convolution (<see cref="StridePhases"/>) against the straightforward one written from the
/// definition — every short step adds each tap's product into the long step it covers, in double precision — on random
/// shapes: odd and even lengths, stride 1, stride equal to the kernel, kernels narrower than the stride (phases with no
/// taps), long sequences shorter than the stride, and both weight layouts the layers pack.
/// </summary>
public sealed class StridePhasesTests
{
    [Fact]
    public void Run_RandomShapes_MatchesDirectTransposedConvolution()
    {
        var rng = new Rng(31);
        for (var trial = 0; trial < 300; trial++)
        {
            var longLength = 1 + rng.NextInt(23);
            var kernel = 1 + rng.NextInt(8);
            var stride = 1 + rng.NextInt(4);
            var shortChannels = 1 + rng.NextInt(6);
            var longChannels = 1 + rng.NextInt(6);
            var rows = 1 + rng.NextInt(4);
            var layout = rng.NextInt(2);
            var withBias = rng.NextInt(2) == 0;
            Check(new ConvGeometry(longLength, kernel, stride), shortChannels, longChannels, rows, layout, withBias, ref rng);
        }
    }

    [Theory]
    [InlineData(60, 7, 2, 16, 32)] // SKAB's Conv-AE: the last decoder layer
    [InlineData(30, 7, 2, 16, 16)]
    [InlineData(61, 7, 2, 5, 3)] // odd length: the phases differ in steps
    [InlineData(2, 2, 3, 3, 2)] // long shorter than the stride, a phase without taps
    [InlineData(9, 3, 3, 2, 4)] // stride = kernel: every phase one tap
    [InlineData(13, 5, 1, 4, 4)] // stride 1: one phase, im2col over the short side
    public void Run_NamedShapes_MatchesDirectTransposedConvolution(int longLength, int kernel, int stride, int shortChannels, int longChannels)
    {
        var rng = new Rng(37);
        Check(new ConvGeometry(longLength, kernel, stride), shortChannels, longChannels, 3, 0, true, ref rng);
        Check(new ConvGeometry(longLength, kernel, stride), shortChannels, longChannels, 3, 1, false, ref rng);
    }

    [Fact]
    public void Taps_EveryTapInExactlyOnePhase()
    {
        for (var kernel = 1; kernel <= 9; kernel++)
        {
            for (var stride = 1; stride <= 5; stride++)
            {
                var phases = new StridePhases(new ConvGeometry(17, kernel, stride));
                var taps = Enumerable.Range(0, phases.Count).SelectMany(f => Enumerable.Range(0, phases.Taps(f)).Select(u => phases.Tap(f, u))).Order();
                Assert.Equal(Enumerable.Range(0, kernel), taps);
            }
        }
    }

    /// <summary>
    /// layout 0: w(j, c, o) at [c, (j, o)] (the transposed convolution's W); layout 1: at [(j, o), c] (a convolution's W
    /// read for its input gradient).
    /// </summary>
    private static void Check(ConvGeometry g, int shortChannels, int longChannels, int rows, int layout, bool withBias, ref Rng rng)
    {
        var k = g.Kernel;
        var (tapStride, shortStride, longStride) = layout == 0
            ? (longChannels, k * longChannels, 1)
            : (shortChannels * longChannels, 1, shortChannels);
        var w = TestData.Floats(ref rng, k * shortChannels * longChannels);
        var bias = withBias ? TestData.Floats(ref rng, longChannels) : [];
        var src = TestData.Floats(ref rng, rows * g.ShortLength * shortChannels);
        var expected = new double[rows * g.LongLength * longChannels];
        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < g.LongLength; i++)
            {
                for (var o = 0; o < longChannels; o++)
                {
                    expected[(r * g.LongLength + i) * longChannels + o] = withBias ? bias[o] : 0;
                }
            }
            for (var s = 0; s < g.ShortLength; s++)
            {
                for (var j = 0; j < k; j++)
                {
                    var i = s * g.Stride + j - g.PadLeft;
                    for (var o = 0; o < longChannels && i >= 0 && i < g.LongLength; o++)
                    {
                        for (var c = 0; c < shortChannels; c++)
                        {
                            expected[(r * g.LongLength + i) * longChannels + o] +=
                                (double)src[(r * g.ShortLength + s) * shortChannels + c] * w[tapStride * j + shortStride * c + longStride * o];
                        }
                    }
                }
            }
        }
        var phases = new StridePhases(g);
        var packed = new float[phases.WeightSize(shortChannels, longChannels)];
        phases.Pack<float>(w, shortChannels, longChannels, tapStride, shortStride, longStride, packed);
        var what = $"long {g.LongLength} kernel {k} stride {g.Stride} channels {shortChannels}→{longChannels} rows {rows} layout {layout} bias {withBias}";
        foreach (IKernels<float> kernels in new IKernels<float>[] { CpuKernels.Instance, ReferenceKernels<float>.Instance })
        {
            var dst = new float[expected.Length];
            Array.Fill(dst, float.NaN); // every value must be written
            var scratch = new float[phases.ScratchSize(rows, shortChannels, longChannels)];
            phases.Run<float>(kernels, src, rows, shortChannels, packed, longChannels, bias, scratch, dst);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - dst[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"{what} ({kernels.Name})[{i}]: direct {expected[i]:g7}, phases {dst[i]:g7}");
            }
        }
    }
}
