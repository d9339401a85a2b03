using System.Numerics;

namespace Detector.Models.Kernels;

/// <summary>
/// The numeric kernels every layer, loss and optimizer is built from. Row-major, dense buffers.
/// Implementations: <see cref="ReferenceKernels{T}"/> (plain scalar loops, the test oracle) and
/// <see cref="CpuKernels"/> (OpenBLAS GEMM, managed SIMD, TensorPrimitives).
/// </summary>
public interface IKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Short name for logs and benchmarks.</summary>
    string Name { get; }

    /// <summary>C = α·op(A)·op(B) + β·C; op(A): [m, k], op(B): [k, n], C: [m, n]; ld* are row strides.</summary>
    void Gemm(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc);

    /// <summary>y = act(x·W + bias); x: [rows, inDim], W: [inDim, outDim], y: [rows, outDim].</summary>
    void Linear(ReadOnlySpan<T> x, int rows, int inDim, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, int outDim,
        Activation act, T slope, Span<T> y);

    /// <summary>dz = dy ⊙ act'(z), with act' written through the activation's output y.</summary>
    void ActivationBackward(Activation act, T slope, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dz);

    /// <summary>sums[j] += Σ_i x[i, j]; x: [rows, cols].</summary>
    void AddColumnSums(ReadOnlySpan<T> x, int rows, int cols, Span<T> sums);

    /// <summary>e[i,j] = (r[i,j] - t[i,j])²; rowMeans[i] = mean_j e[i,j].</summary>
    void SquaredError(ReadOnlySpan<T> target, ReadOnlySpan<T> recon, int rows, int cols, Span<T> errors, Span<T> rowMeans);

    /// <summary>e[i,j] = softplus(z) - t·z (binary cross-entropy of sigmoid(z) against t); rowMeans[i] = mean_j e[i,j].</summary>
    void BinaryCrossEntropyWithLogits(ReadOnlySpan<T> target, ReadOnlySpan<T> logits, int rows, int cols, Span<T> errors, Span<T> rowMeans);

    /// <summary>y = s·(a - b).</summary>
    void ScaledDifference(ReadOnlySpan<T> a, ReadOnlySpan<T> b, T s, Span<T> y);

    /// <summary>y = s·(sigmoid(z) - t): the gradient of mean BCE-with-logits when s = 1/N.</summary>
    void SigmoidDifference(ReadOnlySpan<T> z, ReadOnlySpan<T> t, T s, Span<T> y);

    /// <summary>y[i,j] = (x[i,j] - center[j])·invScale[j]; x, y: [rows, cols].</summary>
    void Standardize(ReadOnlySpan<T> x, int rows, int cols, ReadOnlySpan<T> center, ReadOnlySpan<T> invScale, Span<T> y);

    /// <summary>x ← s·x.</summary>
    void ScaleInPlace(Span<T> x, T s);

    /// <summary>Σ x².</summary>
    T SumOfSquares(ReadOnlySpan<T> x);

    /// <summary>One Adam (or AdamW) update of param from grad, with moment buffers m and v.</summary>
    void AdamStep(Span<T> param, ReadOnlySpan<T> grad, Span<T> m, Span<T> v, in AdamStepArgs<T> args);
}
