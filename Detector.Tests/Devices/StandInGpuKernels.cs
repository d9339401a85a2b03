using Detector.Models.Kernels;

namespace Detector.Tests.Devices;

/// <summary>
/// Stands in for a GPU backend in placement tests: the CPU kernels under another name, counting dense-layer calls and
/// recording disposal, so a test can see which actor scored on which "device" and that the pipeline frees it.
/// </summary>
internal sealed class StandInGpuKernels(string name) : IKernels<float>, IDisposable
{
    private static IKernels<float> Cpu => CpuKernels.Instance;
    private int _linearCalls;

    public string Name => name;

    public int LinearCalls => Volatile.Read(ref _linearCalls);

    public bool Disposed { get; private set; }

    public void Dispose() => Disposed = true;

    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc) => Cpu.Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    public void Linear(ReadOnlySpan<float> x, int rows, int inDim, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, int outDim, Activation act,
        float slope, Span<float> y)
    {
        Interlocked.Increment(ref _linearCalls);
        Cpu.Linear(x, rows, inDim, w, bias, outDim, act, slope, y);
    }

    public void ActivationBackward(Activation act, float slope, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz) =>
        Cpu.ActivationBackward(act, slope, y, dy, dz);

    public void AddColumnSums(ReadOnlySpan<float> x, int rows, int cols, Span<float> sums) => Cpu.AddColumnSums(x, rows, cols, sums);

    public void SquaredError(ReadOnlySpan<float> target, ReadOnlySpan<float> recon, int rows, int cols, Span<float> errors, Span<float> rowMeans) =>
        Cpu.SquaredError(target, recon, rows, cols, errors, rowMeans);

    public void BinaryCrossEntropyWithLogits(ReadOnlySpan<float> target, ReadOnlySpan<float> logits, int rows, int cols, Span<float> errors,
        Span<float> rowMeans) => Cpu.BinaryCrossEntropyWithLogits(target, logits, rows, cols, errors, rowMeans);

    public void ScaledDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float s, Span<float> y) => Cpu.ScaledDifference(a, b, s, y);

    public void SigmoidDifference(ReadOnlySpan<float> z, ReadOnlySpan<float> t, float s, Span<float> y) => Cpu.SigmoidDifference(z, t, s, y);

    public void Standardize(ReadOnlySpan<float> x, int rows, int cols, ReadOnlySpan<float> center, ReadOnlySpan<float> invScale, Span<float> y) =>
        Cpu.Standardize(x, rows, cols, center, invScale, y);

    public void ScaleInPlace(Span<float> x, float s) => Cpu.ScaleInPlace(x, s);

    public float SumOfSquares(ReadOnlySpan<float> x) => Cpu.SumOfSquares(x);

    public void AdamStep(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, in AdamStepArgs<float> args) =>
        Cpu.AdamStep(param, grad, m, v, args);
}
