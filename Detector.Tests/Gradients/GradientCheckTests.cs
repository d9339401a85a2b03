using Detector.Models.Kernels;
using Detector.Models.Layers;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Xunit;

namespace Detector.Tests.Gradients;

/// <summary>
/// Gradient checks in double precision on the reference kernels: every activation through a dense layer, both
/// reconstruction losses, dropout, and the whole AE (sparse), VAE (reparameterised, fixed noise) and ensemble of either.
/// </summary>
public sealed class GradientCheckTests
{
    private static readonly ReferenceKernels<double> K = ReferenceKernels<double>.Instance;

    [Theory]
    [InlineData(Activation.Identity)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.LeakyRelu)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    public void DenseLayer_EachActivation_GradientsMatchFiniteDifferences(Activation act)
    {
        const int rows = 3, inDim = 5, outDim = 4;
        var rng = new Rng(11);
        var layer = DenseLayer<double>.Create(inDim, outDim, act, 0.1, ref rng);
        var x = TestData.Doubles(ref rng, rows * inDim);
        var r = TestData.Doubles(ref rng, rows * outDim);
        var y = new double[rows * outDim];

        double Loss()
        {
            layer.Forward(K, x, rows, y);
            return y.Zip(r, (a, b) => a * b).Sum();
        }

        Loss();
        var gw = new double[layer.Weights.Length];
        var gb = new double[layer.Bias.Length];
        var gx = new double[x.Length];
        layer.Backward(K, x, y, r, rows, new double[rows * outDim], gw, gb, gx);
        GradientChecker.Check(Loss, [layer.Weights, layer.Bias, x], [gw, gb, gx], $"dense {act}");
    }

    [Theory]
    [InlineData(ReconstructionLoss.MeanSquaredError)]
    [InlineData(ReconstructionLoss.BinaryCrossEntropy)]
    public void ReconstructionLoss_Gradient_MatchesFiniteDifferences(ReconstructionLoss loss)
    {
        const int rows = 4, cols = 6;
        var rng = new Rng(5);
        var output = TestData.Doubles(ref rng, rows * cols);
        var target = Array.ConvertAll(TestData.Doubles(ref rng, rows * cols), v => 1 / (1 + Math.Exp(-v)));
        var errors = new double[rows * cols];
        var means = new double[rows];

        double Loss()
        {
            ReconstructionLosses.Evaluate(K, loss, target, output, rows, cols, errors, means);
            return ReconstructionLosses.Mean<double>(means, rows);
        }

        var grad = new double[rows * cols];
        ReconstructionLosses.Gradient(K, loss, target, output, rows, cols, 1.0, grad);
        GradientChecker.Check(Loss, [output], [grad], $"loss {loss}");
    }

    [Fact]
    public void Mlp_WithDropout_GradientsMatchFiniteDifferences()
    {
        const int rows = 4;
        var rng = new Rng(8);
        var mlp = Mlp<double>.Create([5, 7, 6, 3], Activation.Tanh, Activation.Identity, 0.0, dropout: 0.3, ref rng);
        var ws = new MlpWorkspace<double>(mlp, rows, training: true);
        var x = TestData.Doubles(ref rng, rows * 5);
        var r = TestData.Doubles(ref rng, rows * 3);

        double Loss()
        {
            var maskRng = new Rng(99); // the same dropout masks on every evaluation
            var y = mlp.Forward(K, x, rows, ws, true, ref maskRng);
            var sum = 0.0;
            for (var i = 0; i < r.Length; i++)
            {
                sum += y[i] * r[i];
            }
            return sum;
        }

        Loss();
        Assert.Contains(ws.Masks[0].Take(rows * 7), m => m == 0); // dropout really dropped something
        var grads = mlp.Parameters().Select(p => new double[p.Length]).ToArray();
        var gx = new double[x.Length];
        mlp.Backward(K, x, ws, r, grads, 0, gx);
        GradientChecker.Check(Loss, [.. mlp.Parameters(), x], [.. grads, gx], "mlp with dropout");
    }

    [Theory]
    [InlineData(Activation.Tanh, Activation.Identity, ReconstructionLoss.MeanSquaredError, 0.0)]
    [InlineData(Activation.Relu, Activation.Relu, ReconstructionLoss.MeanSquaredError, 0.0)]
    [InlineData(Activation.LeakyRelu, Activation.Identity, ReconstructionLoss.MeanSquaredError, 0.05)]
    [InlineData(Activation.Sigmoid, Activation.Tanh, ReconstructionLoss.BinaryCrossEntropy, 0.02)]
    public void Autoencoder_WholeModel_GradientsMatchFiniteDifferences(Activation hidden, Activation code, ReconstructionLoss loss, double sparsity)
    {
        var options = new ModelOptions
        {
            Kind = ModelKind.Autoencoder, HiddenSizes = [7, 5], CodeSize = 3, HiddenActivation = hidden, CodeActivation = code,
            Loss = loss, SparsityWeight = sparsity,
        };
        CheckWholeModel(options, 21);
    }

    [Theory]
    [InlineData(Activation.Tanh, 1.0)]
    [InlineData(Activation.Relu, 0.5)]
    public void VariationalAutoencoder_ReparameterisedWithFixedNoise_GradientsMatchFiniteDifferences(Activation hidden, double beta)
    {
        var options = new ModelOptions
        {
            Kind = ModelKind.VariationalAutoencoder, HiddenSizes = [7, 5], CodeSize = 3, HiddenActivation = hidden, Beta = beta,
        };
        CheckWholeModel(options, 31);
    }

    [Theory]
    [InlineData(ModelKind.Autoencoder)]
    [InlineData(ModelKind.VariationalAutoencoder)]
    public void Ensemble_MeanOfMembersLosses_GradientsMatchFiniteDifferences(ModelKind kind)
    {
        var options = new ModelOptions { Kind = kind, HiddenSizes = [5], CodeSize = 2, HiddenActivation = Activation.Tanh, Members = 3 };
        CheckWholeModel(options, 41);
    }

    private static void CheckWholeModel(ModelOptions options, ulong seed)
    {
        const int rows = 5, cols = 6;
        var rng = new Rng(seed);
        var net = ReconstructionNetwork<double>.FromOptions(options, cols, ref rng);
        var ws = net.CreateWorkspace(rows, training: true);
        var raw = TestData.Doubles(ref rng, rows * cols);
        var x = options.Loss == ReconstructionLoss.BinaryCrossEntropy ? Array.ConvertAll(raw, v => 1 / (1 + Math.Exp(-v))) : raw;

        double Loss()
        {
            var noise = new Rng(1234); // fixed ε for the reparameterisation
            return net.Loss(K, x, x, rows, ws, ref noise, true, null);
        }

        var grads = net.CreateGradients();
        var noise = new Rng(1234);
        var value = net.Loss(K, x, x, rows, ws, ref noise, true, grads);
        Assert.Equal(Loss(), value);
        GradientChecker.Check(Loss, net.Parameters, grads, $"{options.Kind} {options.HiddenActivation}");
    }
}
