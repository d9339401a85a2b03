using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Xunit;

namespace Detector.Tests.Windowed;

/// <summary>
/// The scalar reference kernels are the oracle for the fast CPU kernels on the windowed models: the same float32
/// weights give the same loss, gradients, scores and contributions to within float rounding.
/// </summary>
public sealed class WindowedOracleTests
{
    public static TheoryData<ModelOptions> Models => new()
    {
        new ModelOptions { Kind = ModelKind.ConvolutionalAutoencoder, WindowSteps = 20, HiddenSizes = [8, 4], KernelSize = 5, Stride = 2 },
        new ModelOptions { Kind = ModelKind.LstmAutoencoder, WindowSteps = 12, CodeSize = 6, HiddenSizes = [10] },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void LossGradientsAndScores_CpuKernels_MatchReference(ModelOptions options)
    {
        const int rows = 17, sensors = 4;
        var inputSize = options.WindowSteps * sensors;
        var rng = new Rng(3);
        var net = ReconstructionNetwork<float>.FromOptions(options, inputSize, ref rng);
        var x = TestData.Floats(ref rng, rows * inputSize);
        var results = new List<(double Loss, float[][] Grads, float[] Scores, float[] Errors)>();
        foreach (IKernels<float> k in new IKernels<float>[] { ReferenceKernels<float>.Instance, CpuKernels.Instance })
        {
            var ws = net.CreateWorkspace(rows, training: true);
            var grads = net.CreateGradients();
            var noise = new Rng(1);
            var loss = net.Loss(k, x, x, rows, ws, ref noise, true, grads);
            var scores = new float[rows];
            var errors = new float[rows * inputSize];
            net.Score(k, x, rows, net.CreateWorkspace(rows, training: false), ref noise, scores, errors);
            results.Add((loss, grads, scores, errors));
        }
        var (reference, fast) = (results[0], results[1]);
        Assert.Equal(reference.Loss, fast.Loss, 4);
        for (var p = 0; p < reference.Grads.Length; p++)
        {
            var scale = reference.Grads[p].Max(Math.Abs) + 1e-6f;
            for (var i = 0; i < reference.Grads[p].Length; i++)
            {
                Assert.True(Math.Abs(reference.Grads[p][i] - fast.Grads[p][i]) <= 1e-4 * scale,
                    $"{options.Kind}: gradient {p}[{i}] reference {reference.Grads[p][i]:g6} vs cpu {fast.Grads[p][i]:g6}");
            }
        }
        for (var i = 0; i < rows; i++)
        {
            Assert.Equal(reference.Scores[i], fast.Scores[i], 4);
        }
        for (var i = 0; i < reference.Errors.Length; i++)
        {
            Assert.Equal(reference.Errors[i], fast.Errors[i], 3);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Score_WindowedModel_ContributionsFoldedIntoCurrentStepPerSensor(ModelOptions options)
    {
        const int rows = 3, sensors = 4;
        var inputSize = options.WindowSteps * sensors;
        var rng = new Rng(5);
        var net = ReconstructionNetwork<double>.FromOptions(options, inputSize, ref rng);
        var x = TestData.Doubles(ref rng, rows * inputSize);
        var scores = new double[rows];
        var folded = new double[rows * inputSize];
        net.Score(ReferenceKernels<double>.Instance, x, rows, net.CreateWorkspace(rows, false), ref rng, scores, folded);
        var ws = net.CreateWorkspace(rows, training: true);
        net.Loss(ReferenceKernels<double>.Instance, x, x, rows, ws, ref rng, false, null);
        for (var r = 0; r < rows; r++)
        {
            var row = folded.AsSpan(r * inputSize, inputSize);
            Assert.All(row[..^sensors].ToArray(), v => Assert.Equal(0.0, v));
            for (var s = 0; s < sensors; s++)
            {
                var total = 0.0;
                for (var t = 0; t < options.WindowSteps; t++)
                {
                    total += ws.Errors[r * inputSize + t * sensors + s];
                }
                Assert.Equal(total, row[^sensors..][s], 10);
            }
            Assert.Equal(scores[r], row.ToArray().Sum() / inputSize, 10);
        }
    }
}
