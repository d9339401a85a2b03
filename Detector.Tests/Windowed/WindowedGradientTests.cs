using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Detector.Models.Windowed;
using Detector.Tests.Gradients;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Detector.Tests.Windowed;

/// <summary>
/// Gradient checks in double precision on the reference kernels (central finite differences): the convolution, the
/// transposed convolution and the LSTM with respect to every parameter and the input, and the whole convolutional and
/// LSTM autoencoders with respect to every parameter.
/// </summary>
public sealed class WindowedGradientTests
{
    private static readonly ReferenceKernels<double> K = ReferenceKernels<double>.Instance;

    [Theory]
    [InlineData(7, 3, 2, Activation.Tanh, 4)]
    [InlineData(8, 3, 2, Activation.Identity, 4)]
    [InlineData(6, 5, 1, Activation.LeakyRelu, 4)]
    [InlineData(5, 2, 3, Activation.Sigmoid, 4)]
    [InlineData(3, 7, 2, Activation.Tanh, 4)]
    [InlineData(7, 3, 1, Activation.Tanh, 2)] // the transposed form: stride 1, odd kernel, fewer output channels
    [InlineData(6, 5, 1, Activation.Identity, 1)]
    public void Conv1dLayer_EveryParameterAndInput_GradientsMatchFiniteDifferences(int length, int kernel, int stride, Activation act, int outChannels)
    {
        const int rows = 2, inChannels = 3;
        var rng = new Rng(17);
        var layer = Conv1dLayer<double>.Create(length, inChannels, outChannels, kernel, stride, act, 0.1, ref rng);
        var x = TestData.Doubles(ref rng, rows * layer.InputSize);
        var r = TestData.Doubles(ref rng, rows * layer.OutputSize);
        var cols = new double[layer.ScratchSize(rows)];
        var y = new double[rows * layer.OutputSize];

        double Loss()
        {
            layer.Forward(K, x, rows, cols, y);
            return Dot(y, r);
        }

        Loss();
        var gw = new double[layer.Weights.Length];
        var gb = new double[layer.Bias.Length];
        var gx = new double[x.Length];
        layer.Backward(K, x, cols, y, r, rows, new double[y.Length], new double[layer.BackwardScratchSize(rows)], gw, gb, gx);
        GradientChecker.Check(Loss, [layer.Weights, layer.Bias, x], [gw, gb, gx], $"conv1d L{length} k{kernel} s{stride} {act}");
    }

    [Theory]
    [InlineData(8, 3, 2, Activation.Tanh)]
    [InlineData(7, 3, 2, Activation.Identity)]
    [InlineData(9, 4, 3, Activation.LeakyRelu)]
    [InlineData(5, 5, 1, Activation.Sigmoid)]
    [InlineData(7, 2, 3, Activation.Tanh)] // kernel narrower than the stride
    public void ConvTranspose1dLayer_EveryParameterAndInput_GradientsMatchFiniteDifferences(int outLength, int kernel, int stride, Activation act)
    {
        const int rows = 2, inChannels = 3, outChannels = 2;
        var rng = new Rng(23);
        var inLength = new ConvGeometry(outLength, kernel, stride).ShortLength;
        var layer = ConvTranspose1dLayer<double>.Create(inLength, inChannels, outLength, outChannels, kernel, stride, act, 0.1, ref rng);
        var x = TestData.Doubles(ref rng, rows * layer.InputSize);
        var r = TestData.Doubles(ref rng, rows * layer.OutputSize);
        var p = new double[layer.ScratchSize(rows)];
        var y = new double[rows * layer.OutputSize];

        double Loss()
        {
            layer.Forward(K, x, rows, p, y);
            return Dot(y, r);
        }

        Loss();
        var gw = new double[layer.Weights.Length];
        var gb = new double[layer.Bias.Length];
        var gx = new double[x.Length];
        layer.Backward(K, x, y, r, rows, new double[y.Length], new double[layer.BackwardScratchSize(rows)], gw, gb, gx);
        GradientChecker.Check(Loss, [layer.Weights, layer.Bias, x], [gw, gb, gx], $"conv-transpose1d L{outLength} k{kernel} s{stride} {act}");
    }

    [Theory]
    [InlineData(1, 3, 2)]
    [InlineData(5, 3, 4)]
    [InlineData(4, 1, 1)]
    public void LstmLayer_EveryParameterAndInput_GradientsMatchFiniteDifferences(int steps, int inputSize, int hidden)
    {
        const int rows = 3;
        var rng = new Rng(29);
        var layer = LstmLayer<double>.Create(inputSize, hidden, ref rng);
        var ws = new LstmWorkspace<double>(layer, steps, rows, training: true);
        var x = TestData.Doubles(ref rng, rows * steps * inputSize);
        var r = TestData.Doubles(ref rng, rows * steps * hidden);
        var h = new double[rows * steps * hidden];

        double Loss()
        {
            layer.Forward(K, x, rows, ws, h);
            return Dot(h, r);
        }

        Loss();
        var grads = layer.Parameters().Select(p => new double[p.Length]).ToArray();
        var gx = new double[x.Length];
        layer.Backward(K, x, h, r, ws, grads, 0, gx);
        GradientChecker.Check(Loss, [.. layer.Parameters(), x], [.. grads, gx], $"lstm T{steps} in{inputSize} h{hidden}");
    }

    [Theory]
    [InlineData(8, 3, 2, Activation.Tanh, ReconstructionLoss.MeanSquaredError)]
    [InlineData(7, 3, 2, Activation.LeakyRelu, ReconstructionLoss.MeanSquaredError)]
    [InlineData(6, 2, 3, Activation.Sigmoid, ReconstructionLoss.BinaryCrossEntropy)]
    public void ConvolutionalAutoencoder_WholeModel_GradientsMatchFiniteDifferences(int steps, int kernel, int stride, Activation act, ReconstructionLoss loss)
    {
        var options = new ModelOptions
        {
            Kind = ModelKind.ConvolutionalAutoencoder, WindowSteps = steps, HiddenSizes = [4, 3], KernelSize = kernel, Stride = stride,
            HiddenActivation = act, Loss = loss,
        };
        CheckWholeModel(options, sensors: 3, seed: 41);
    }

    [Theory]
    [InlineData(5, 3, 4)]
    [InlineData(3, 2, 0)]
    public void LstmAutoencoder_WholeModel_GradientsMatchFiniteDifferences(int steps, int code, int hidden)
    {
        var options = new ModelOptions
        {
            Kind = ModelKind.LstmAutoencoder, WindowSteps = steps, CodeSize = code, HiddenSizes = hidden > 0 ? [hidden] : [],
        };
        CheckWholeModel(options, sensors: 3, seed: 43);
    }

    [Fact]
    public void ConvGeometry_GatherAndScatterAdd_AreAdjoint()
    {
        // <Gather(x), c> = <x, ScatterAdd(c)> for every shape: the backward pass of one is the other.
        var arb = (from length in Gen.Choose(1, 12)
                   from kernel in Gen.Choose(1, 6)
                   from stride in Gen.Choose(1, 4)
                   from channels in Gen.Choose(1, 3)
                   from seed in Gen.Choose(0, 10_000)
                   select (length, kernel, stride, channels, seed)).ToArbitrary();
        Prop.ForAll(arb, c =>
        {
            const int rows = 2;
            var g = new ConvGeometry(c.length, c.kernel, c.stride);
            var rng = new Rng((ulong)c.seed);
            var x = TestData.Doubles(ref rng, rows * c.length * c.channels);
            var cols = TestData.Doubles(ref rng, rows * g.ShortLength * c.kernel * c.channels);
            var gathered = new double[cols.Length];
            g.Gather<double>(x, rows, c.channels, gathered);
            var scattered = new double[x.Length];
            g.ScatterAdd<double>(cols, rows, c.channels, scattered);
            Assert.Equal(Dot(gathered, cols), Dot(x, scattered), 10);
            Assert.Equal((c.length + c.stride - 1) / c.stride, g.ShortLength);
        }).QuickCheckThrowOnFailure();
    }

    internal static void CheckWholeModel(ModelOptions options, int sensors, ulong seed)
    {
        const int rows = 3;
        var rng = new Rng(seed);
        var cols = options.WindowSteps * sensors;
        var net = ReconstructionNetwork<double>.FromOptions(options, cols, ref rng);
        var ws = net.CreateWorkspace(rows, training: true);
        var raw = TestData.Doubles(ref rng, rows * cols);
        var x = options.Loss == ReconstructionLoss.BinaryCrossEntropy ? Array.ConvertAll(raw, v => 1 / (1 + Math.Exp(-v))) : raw;

        double Loss()
        {
            var noise = new Rng(7);
            return net.Loss(K, x, x, rows, ws, ref noise, true, null);
        }

        var grads = net.CreateGradients();
        var noise = new Rng(7);
        var value = net.Loss(K, x, x, rows, ws, ref noise, true, grads);
        Assert.Equal(Loss(), value);
        GradientChecker.Check(Loss, net.Parameters, grads, $"{options.Kind} T{options.WindowSteps}");
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (u, v) => u * v).Sum();
}
