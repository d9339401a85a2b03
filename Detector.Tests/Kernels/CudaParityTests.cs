using Detector.Models.Kernels;
using Detector.Models.Kernels.Cuda;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Xunit;

namespace Detector.Tests.Kernels;

/// <summary>
/// The same AE/VAE weights scored and differentiated on the CPU and on the GPU. Tolerance, per element:
/// |gpu - cpu| ≤ rtol·|cpu| + rtol·max|cpu| with rtol = 1e-4 for FP32, 1e-2 for TF32 (10-bit mantissa GEMM inputs)
/// and 5e-2 for BF16 (8-bit mantissa); the max|cpu| term keeps elements near zero from failing on cancellation.
/// Skipped, with the probe's reason, where no CUDA device is usable.
/// </summary>
public sealed class CudaParityTests
{
    private const int Rows = 48;
    private const int Cols = 13;

    private static double Tolerance(CudaMathMode mode) => mode switch
    {
        CudaMathMode.Fp32 => 1e-4,
        CudaMathMode.Tf32 => 1e-2,
        _ => 5e-2,
    };

    [CudaTheory]
    [InlineData(ModelKind.Autoencoder, CudaMathMode.Fp32)]
    [InlineData(ModelKind.VariationalAutoencoder, CudaMathMode.Fp32)]
    [InlineData(ModelKind.Autoencoder, CudaMathMode.Tf32)]
    [InlineData(ModelKind.VariationalAutoencoder, CudaMathMode.Tf32)]
    [InlineData(ModelKind.Autoencoder, CudaMathMode.Bf16)]
    [InlineData(ModelKind.VariationalAutoencoder, CudaMathMode.Bf16)]
    public void ScoresAndGradients_SameWeights_GpuMatchesCpu(ModelKind kind, CudaMathMode mode)
    {
        using var gpu = new CudaKernels(0, mode);
        var cpu = CpuKernels.Instance;
        var rng = new Rng(17);
        var options = new ModelOptions { Kind = kind, HiddenSizes = [32, 16], CodeSize = 4, HiddenActivation = Activation.Tanh };
        var net = ReconstructionNetwork<float>.FromOptions(options, Cols, ref rng);
        var x = TestData.Floats(ref rng, Rows * Cols);

        var (cpuScores, cpuErrors) = Score(net, cpu, x);
        var (gpuScores, gpuErrors) = Score(net, gpu, x);
        var (cpuLoss, cpuGrads) = Gradients(net, cpu, x);
        var (gpuLoss, gpuGrads) = Gradients(net, gpu, x);

        var rtol = Tolerance(mode);
        Close(cpuScores, gpuScores, rtol, $"{kind} {mode} scores");
        Close(cpuErrors, gpuErrors, rtol, $"{kind} {mode} errors");
        Close([(float)cpuLoss], [(float)gpuLoss], rtol, $"{kind} {mode} loss");
        for (var p = 0; p < cpuGrads.Length; p++)
        {
            Close(cpuGrads[p], gpuGrads[p], rtol, $"{kind} {mode} gradient of parameter {p}");
        }
    }

    [CudaFact]
    public void Name_SaysDeviceAndMathMode()
    {
        using var gpu = new CudaKernels(0, CudaMathMode.Tf32);

        Assert.Equal("cuda:0/tf32", gpu.Name);
    }

    private static (float[] Scores, float[] Errors) Score(ReconstructionNetwork<float> net, IKernels<float> k, float[] x)
    {
        var ws = net.CreateWorkspace(Rows, training: false);
        var noise = new Rng(5);
        var scores = new float[Rows];
        var errors = new float[Rows * Cols];
        net.Score(k, x, Rows, ws, ref noise, scores, errors);
        return (scores, errors);
    }

    private static (double Loss, float[][] Grads) Gradients(ReconstructionNetwork<float> net, IKernels<float> k, float[] x)
    {
        var ws = net.CreateWorkspace(Rows, training: true);
        var noise = new Rng(9);
        var grads = net.CreateGradients();
        var loss = net.Loss(k, x, x, Rows, ws, ref noise, true, grads);
        return (loss, grads);
    }

    private static void Close(float[] expected, float[] actual, double rtol, string what)
    {
        var scale = expected.Length == 0 ? 0 : expected.Max(v => Math.Abs((double)v));
        TestData.Close(TestData.ToDouble(expected), actual, rtol, rtol * scale, what);
    }
}
