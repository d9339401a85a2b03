using Detector.Models.Kernels;
using Detector.Models.Numerics;
using Detector.Models.Windowed;
using Xunit;

namespace Detector.Tests.Windowed;

/// <summary>
/// The convolution layers on the fast CPU kernels (im2col and the transposed form, block copies, narrow tiles) against a
/// straightforward direct convolution written from the definition in double precision: forward outputs and every
/// gradient agree to float rounding. Shapes include SKAB's Conv-AE (8 sensors, 60 steps, kernel 7, stride 2) and its
/// output layer (stride 1, 32 → 8 channels, which takes the transposed form).
/// </summary>
public sealed class ConvolutionParityTests
{
    [Theory]
    [InlineData(60, 8, 32, 7, 2, Activation.Relu)]
    [InlineData(30, 32, 16, 7, 2, Activation.Relu)]
    [InlineData(60, 32, 8, 7, 1, Activation.Identity)]
    [InlineData(13, 5, 3, 5, 1, Activation.Tanh)]
    [InlineData(11, 4, 6, 4, 3, Activation.LeakyRelu)]
    [InlineData(61, 8, 32, 7, 2, Activation.Relu)] // odd length: the stride phases of dx differ in steps
    [InlineData(10, 3, 4, 2, 3, Activation.Identity)] // kernel narrower than the stride: a phase of dx without taps
    public void Conv1dLayer_CpuKernels_MatchDirectConvolution(int length, int inChannels, int outChannels, int kernel, int stride, Activation act)
    {
        const int rows = 11;
        var rng = new Rng(5);
        var layer = Conv1dLayer<float>.Create(length, inChannels, outChannels, kernel, stride, act, 0.1f, ref rng);
        var x = TestData.Floats(ref rng, rows * layer.InputSize);
        var dy = TestData.Floats(ref rng, rows * layer.OutputSize);
        var g = layer.Geometry;
        // Reference: y[r, o, c'] = act(b[c'] + Σ_j Σ_c x[r, o·stride + j − pad, c]·W[(j, c), c'])
        var z = new double[rows * layer.OutputSize];
        for (var r = 0; r < rows; r++)
        {
            for (var o = 0; o < g.ShortLength; o++)
            {
                for (var co = 0; co < outChannels; co++)
                {
                    double sum = layer.Bias[co];
                    for (var j = 0; j < kernel; j++)
                    {
                        var i = o * stride + j - g.PadLeft;
                        for (var c = 0; c < inChannels && i >= 0 && i < length; c++)
                        {
                            sum += (double)x[(r * length + i) * inChannels + c] * layer.Weights[(j * inChannels + c) * outChannels + co];
                        }
                    }
                    z[(r * g.ShortLength + o) * outChannels + co] = sum;
                }
            }
        }
        var (y, dz) = Activate(act, 0.1, z, dy);
        var dw = new double[layer.Weights.Length];
        var db = new double[outChannels];
        var dx = new double[x.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var o = 0; o < g.ShortLength; o++)
            {
                for (var co = 0; co < outChannels; co++)
                {
                    var d = dz[(r * g.ShortLength + o) * outChannels + co];
                    db[co] += d;
                    for (var j = 0; j < kernel; j++)
                    {
                        var i = o * stride + j - g.PadLeft;
                        for (var c = 0; c < inChannels && i >= 0 && i < length; c++)
                        {
                            dw[(j * inChannels + c) * outChannels + co] += d * x[(r * length + i) * inChannels + c];
                            dx[(r * length + i) * inChannels + c] += d * layer.Weights[(j * inChannels + c) * outChannels + co];
                        }
                    }
                }
            }
        }

        var k = CpuKernels.Instance;
        var scratch = new float[layer.ScratchSize(rows)];
        var fy = new float[y.Length];
        layer.Forward(k, x, rows, scratch, fy);
        var fw = new float[dw.Length];
        var fb = new float[db.Length];
        var fx = new float[dx.Length];
        layer.Backward(k, x, scratch, fy, dy, rows, new float[fy.Length], new float[layer.BackwardScratchSize(rows)], fw, fb, fx);
        var name = $"conv1d L{length} {inChannels}→{outChannels} k{kernel} s{stride} (transposed form: {layer.Transposed})";
        AssertClose(y, fy, $"{name} y");
        AssertClose(dw, fw, $"{name} dW");
        AssertClose(db, fb, $"{name} db");
        AssertClose(dx, fx, $"{name} dx");
    }

    [Theory]
    [InlineData(30, 16, 60, 32, 7, 2, Activation.Relu)]
    [InlineData(15, 16, 30, 16, 7, 2, Activation.Relu)]
    [InlineData(4, 3, 11, 5, 4, 3, Activation.Tanh)]
    [InlineData(31, 16, 61, 32, 7, 2, Activation.Relu)] // odd length
    [InlineData(4, 3, 10, 4, 2, 3, Activation.Identity)] // kernel narrower than the stride: output steps only the bias reaches
    public void ConvTranspose1dLayer_CpuKernels_MatchDirectTransposedConvolution(int inLength, int inChannels, int outLength, int outChannels,
        int kernel, int stride, Activation act)
    {
        const int rows = 9;
        var rng = new Rng(8);
        var layer = ConvTranspose1dLayer<float>.Create(inLength, inChannels, outLength, outChannels, kernel, stride, act, 0.1f, ref rng);
        var x = TestData.Floats(ref rng, rows * layer.InputSize);
        var dy = TestData.Floats(ref rng, rows * layer.OutputSize);
        var g = layer.Geometry;
        // Reference: z[r, o·stride + j − pad, c'] += Σ_c x[r, o, c]·W[c, (j, c')]; z starts at b.
        var z = new double[rows * layer.OutputSize];
        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < outLength; i++)
            {
                for (var co = 0; co < outChannels; co++)
                {
                    z[(r * outLength + i) * outChannels + co] = layer.Bias[co];
                }
            }
            for (var o = 0; o < inLength; o++)
            {
                for (var j = 0; j < kernel; j++)
                {
                    var i = o * stride + j - g.PadLeft;
                    for (var co = 0; co < outChannels && i >= 0 && i < outLength; co++)
                    {
                        for (var c = 0; c < inChannels; c++)
                        {
                            z[(r * outLength + i) * outChannels + co] += (double)x[(r * inLength + o) * inChannels + c] * layer.Weights[c * kernel * outChannels + j * outChannels + co];
                        }
                    }
                }
            }
        }
        var (y, dz) = Activate(act, 0.1, z, dy);
        var dw = new double[layer.Weights.Length];
        var db = new double[outChannels];
        var dx = new double[x.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < outLength; i++)
            {
                for (var co = 0; co < outChannels; co++)
                {
                    db[co] += dz[(r * outLength + i) * outChannels + co];
                }
            }
            for (var o = 0; o < inLength; o++)
            {
                for (var j = 0; j < kernel; j++)
                {
                    var i = o * stride + j - g.PadLeft;
                    for (var co = 0; co < outChannels && i >= 0 && i < outLength; co++)
                    {
                        var d = dz[(r * outLength + i) * outChannels + co];
                        for (var c = 0; c < inChannels; c++)
                        {
                            dw[c * kernel * outChannels + j * outChannels + co] += d * x[(r * inLength + o) * inChannels + c];
                            dx[(r * inLength + o) * inChannels + c] += d * layer.Weights[c * kernel * outChannels + j * outChannels + co];
                        }
                    }
                }
            }
        }

        var k = CpuKernels.Instance;
        var p = new float[layer.ScratchSize(rows)];
        var fy = new float[y.Length];
        layer.Forward(k, x, rows, p, fy);
        var fw = new float[dw.Length];
        var fb = new float[db.Length];
        var fx = new float[dx.Length];
        layer.Backward(k, x, fy, dy, rows, new float[fy.Length], new float[layer.BackwardScratchSize(rows)], fw, fb, fx);
        var name = $"conv-transpose1d L{inLength}→{outLength} {inChannels}→{outChannels} k{kernel} s{stride}";
        AssertClose(y, fy, $"{name} y");
        AssertClose(dw, fw, $"{name} dW");
        AssertClose(db, fb, $"{name} db");
        AssertClose(dx, fx, $"{name} dx");
    }

    /// <summary>y = act(z) and dz = dy ⊙ act'(z) in double.</summary>
    private static (double[] Y, double[] Dz) Activate(Activation act, double slope, double[] z, float[] dy)
    {
        var y = new double[z.Length];
        var dz = new double[z.Length];
        for (var i = 0; i < z.Length; i++)
        {
            (y[i], var d) = act switch
            {
                Activation.Relu => (Math.Max(z[i], 0), z[i] > 0 ? 1.0 : 0.0),
                Activation.LeakyRelu => (z[i] > 0 ? z[i] : slope * z[i], z[i] > 0 ? 1.0 : slope),
                Activation.Tanh => (Math.Tanh(z[i]), 1 - Math.Tanh(z[i]) * Math.Tanh(z[i])),
                Activation.Identity => (z[i], 1.0),
                _ => throw new ArgumentOutOfRangeException(nameof(act), act, "not used here"),
            };
            dz[i] = dy[i] * d;
        }
        return (y, dz);
    }

    /// <summary>Every value within 1e-4 of the largest magnitude (float32 sums of up to a few thousand terms).</summary>
    private static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(Math.Abs) + 1e-6;
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * scale, $"{what}[{i}]: direct {expected[i]:g7}, layer {actual[i]:g7}");
        }
    }
}
