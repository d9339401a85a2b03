using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Detector.Models.Kernels;

/// <summary>
/// The CPU backend: GEMM through OpenBLAS, small dense layers through the managed SIMD kernel
/// (<see cref="ManagedLinear"/>), elementwise work through TensorPrimitives. Single-threaded per call apart from
/// OpenBLAS's own pool (see <see cref="OpenBlas.SetThreads"/>); concurrent callers each bring their own buffers.
/// </summary>
public sealed unsafe class CpuKernels : IKernels<float>
{
    /// <summary>
    /// Layers whose weights hold at most this many floats (64 KiB, L1/L2-resident) always take the managed path, whatever
    /// the batch: the kernel is chosen by the layer's shape, never by the number of rows, so a record's score does not
    /// depend on the batch it arrived in (bit for bit; see <see cref="ManagedLinear"/>). Every preset's dense layers
    /// are this small. It costs nothing: on these shapes the managed kernel beats OpenBLAS at every batch size measured
    /// here (`bench models --linear Auto|Blas`, ae30 batch 256 one thread 4.9M vs 3.4M records/s; docs/measurements.md).
    /// </summary>
    public const int ManagedWeightLimit = 16_384;

    /// <summary>
    /// Larger layers take the managed path for at most this many rows (a GEMM call costs more than it saves there) and
    /// OpenBLAS otherwise, whose blocking depends on the row count: for them a score may differ in its last bits between
    /// batch sizes (relative 1e-6 at most, tested in BatchInvarianceTests).
    /// </summary>
    public const int ManagedRowLimit = 2;

    private static readonly Lazy<CpuKernels> Shared = new(() => new CpuKernels());

    private readonly LinearPath _linearPath;

    /// <summary>
    /// Creates the backend; fails with an install hint when OpenBLAS is missing. OpenBLAS's own pool is set to one
    /// thread: parallelism is ours (one scorer per model actor, data-parallel training shards), and a BLAS pool per
    /// caller on top of that would oversubscribe the cores.
    /// </summary>
    public CpuKernels(LinearPath linearPath = LinearPath.Auto)
    {
        OpenBlas.EnsureAvailable();
        OpenBlas.SetThreads(1);
        _linearPath = linearPath;
    }

    /// <summary>The shared instance with the default policy (created on first use).</summary>
    public static CpuKernels Instance => Shared.Value;

    /// <inheritdoc />
    public string Name => _linearPath == LinearPath.Auto ? "cpu" : $"cpu-{_linearPath.ToString().ToLowerInvariant()}";

    /// <inheritdoc />
    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0)
        {
            return;
        }
        OpenBlas.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <inheritdoc />
    public void Linear(ReadOnlySpan<float> x, int rows, int inDim, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, int outDim,
        Activation act, float slope, Span<float> y)
    {
        if (rows == 0)
        {
            return;
        }
        var yOut = y[..(rows * outDim)];
        var managed = _linearPath switch
        {
            LinearPath.Managed => true,
            LinearPath.Blas => false,
            _ => inDim * outDim <= ManagedWeightLimit || rows <= ManagedRowLimit,
        };
        if (managed && ManagedLinear.IsSupported)
        {
            fixed (float* px = x)
            fixed (float* pw = w)
            fixed (float* pb = bias)
            fixed (float* py = y)
            {
                ManagedLinear.Run(px, rows, inDim, pw, pb, outDim, act, slope, py);
            }
            if (act is Activation.Tanh or Activation.Sigmoid)
            {
                // Row by row: TensorPrimitives picks its vector width (or scalar code) by span length, so one call over
                // the batch could give a row other last bits at another batch size.
                for (var i = 0; i < rows; i++)
                {
                    ApplyInPlace(act, yOut.Slice(i * outDim, outDim));
                }
            }
            return;
        }
        for (var i = 0; i < rows; i++)
        {
            bias.CopyTo(y.Slice(i * outDim, outDim));
        }
        OpenBlas.Sgemm(false, false, rows, outDim, inDim, 1f, x, inDim, w, outDim, 1f, y, outDim);
        switch (act)
        {
            case Activation.Relu:
                TensorPrimitives.Max(yOut, 0f, yOut);
                break;
            case Activation.LeakyRelu:
                LeakyRelu(yOut, slope);
                break;
            case Activation.Tanh or Activation.Sigmoid:
                ApplyInPlace(act, yOut);
                break;
        }
    }

    private static void ApplyInPlace(Activation act, Span<float> y)
    {
        if (act == Activation.Tanh)
        {
            TensorPrimitives.Tanh(y, y);
        }
        else
        {
            TensorPrimitives.Sigmoid(y, y);
        }
    }

    private static void LeakyRelu(Span<float> y, float slope)
    {
        for (var i = 0; i < y.Length; i++)
        {
            if (y[i] < 0f)
            {
                y[i] *= slope;
            }
        }
    }

    /// <inheritdoc />
    public void ActivationBackward(Activation act, float slope, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz)
    {
        switch (act)
        {
            case Activation.Identity:
                dy[..dz.Length].CopyTo(dz);
                return;
            case Activation.Tanh:
                // dz = dy·(1 - y²) = dy - dy·y²
                TensorPrimitives.Multiply(y[..dz.Length], y[..dz.Length], dz);
                TensorPrimitives.Negate(dz, dz);
                TensorPrimitives.Add(dz, 1f, dz);
                TensorPrimitives.Multiply(dz, dy[..dz.Length], dz);
                return;
            case Activation.Sigmoid:
                // dz = dy·y·(1 - y)
                TensorPrimitives.Negate(y[..dz.Length], dz);
                TensorPrimitives.Add(dz, 1f, dz);
                TensorPrimitives.Multiply(dz, y[..dz.Length], dz);
                TensorPrimitives.Multiply(dz, dy[..dz.Length], dz);
                return;
        }
        // ReLU and LeakyReLU: select on the sign of y.
        var other = Vector256.Create(act == Activation.LeakyRelu ? slope : 0f);
        var i = 0;
        fixed (float* py = y)
        fixed (float* pdy = dy)
        fixed (float* pdz = dz)
        {
            for (; i + 8 <= dz.Length; i += 8)
            {
                var vy = Vector256.Load(py + i);
                var vd = Vector256.Load(pdy + i);
                var pos = Vector256.GreaterThan(vy, Vector256<float>.Zero);
                Vector256.Store(Vector256.ConditionalSelect(pos, vd, vd * other), pdz + i);
            }
        }
        for (; i < dz.Length; i++)
        {
            dz[i] = y[i] > 0f ? dy[i] : dy[i] * other[0];
        }
    }

    /// <inheritdoc />
    public void AddColumnSums(ReadOnlySpan<float> x, int rows, int cols, Span<float> sums)
    {
        if (cols < 64 && Vector256.IsHardwareAccelerated)
        {
            // Narrow rows (a convolution's channels, thousands of positions): a call per row would cost more than its
            // adds. Eight columns at a time in a register, rows in order, so every sum is the same as row by row.
            fixed (float* px = x)
            fixed (float* ps = sums)
            {
                var j = 0;
                for (; j + 8 <= cols; j += 8)
                {
                    var acc = Vector256.Load(ps + j);
                    for (var i = 0; i < rows; i++)
                    {
                        acc += Vector256.Load(px + i * cols + j);
                    }
                    Vector256.Store(acc, ps + j);
                }
                for (; j < cols; j++)
                {
                    var acc = ps[j];
                    for (var i = 0; i < rows; i++)
                    {
                        acc += px[i * cols + j];
                    }
                    ps[j] = acc;
                }
            }
            return;
        }
        var s = sums[..cols];
        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.Add(s, x.Slice(i * cols, cols), s);
        }
    }

    /// <inheritdoc />
    public void SquaredError(ReadOnlySpan<float> target, ReadOnlySpan<float> recon, int rows, int cols, Span<float> errors, Span<float> rowMeans)
    {
        var n = rows * cols;
        var e = errors[..n];
        TensorPrimitives.Subtract(recon[..n], target[..n], e);
        TensorPrimitives.Multiply(e, e, e);
        var inv = 1f / cols;
        for (var i = 0; i < rows; i++)
        {
            rowMeans[i] = TensorPrimitives.Sum<float>(e.Slice(i * cols, cols)) * inv;
        }
    }

    /// <inheritdoc />
    public void BinaryCrossEntropyWithLogits(ReadOnlySpan<float> target, ReadOnlySpan<float> logits, int rows, int cols, Span<float> errors, Span<float> rowMeans)
    {
        var n = rows * cols;
        for (var i = 0; i < n; i++)
        {
            var z = logits[i];
            errors[i] = MathF.Max(z, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(z))) - target[i] * z;
        }
        var inv = 1f / cols;
        for (var i = 0; i < rows; i++)
        {
            rowMeans[i] = TensorPrimitives.Sum<float>(errors.Slice(i * cols, cols)) * inv;
        }
    }

    /// <inheritdoc />
    public void ScaledDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float s, Span<float> y)
    {
        TensorPrimitives.Subtract(a[..y.Length], b[..y.Length], y);
        TensorPrimitives.Multiply(y, s, y);
    }

    /// <inheritdoc />
    public void SigmoidDifference(ReadOnlySpan<float> z, ReadOnlySpan<float> t, float s, Span<float> y)
    {
        TensorPrimitives.Sigmoid(z[..y.Length], y);
        TensorPrimitives.Subtract(y, t[..y.Length], y);
        TensorPrimitives.Multiply(y, s, y);
    }

    /// <inheritdoc />
    public void Standardize(ReadOnlySpan<float> x, int rows, int cols, ReadOnlySpan<float> center, ReadOnlySpan<float> invScale, Span<float> y)
    {
        for (var i = 0; i < rows; i++)
        {
            var yr = y.Slice(i * cols, cols);
            TensorPrimitives.Subtract(x.Slice(i * cols, cols), center[..cols], yr);
            TensorPrimitives.Multiply(yr, invScale[..cols], yr);
        }
    }

    /// <inheritdoc />
    public void ScaleInPlace(Span<float> x, float s) => TensorPrimitives.Multiply(x, s, x);

    /// <inheritdoc />
    public float SumOfSquares(ReadOnlySpan<float> x) => TensorPrimitives.SumOfSquares(x);

    /// <inheritdoc />
    public void AdamStep(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, in AdamStepArgs<float> args)
    {
        var n = param.Length;
        var lr = args.LearningRate;
        var b1 = Vector256.Create(args.Beta1);
        var b2 = Vector256.Create(args.Beta2);
        var ob1 = Vector256.Create(1f - args.Beta1);
        var ob2 = Vector256.Create(1f - args.Beta2);
        var ic1 = Vector256.Create(1f / args.Correction1);
        var ic2 = Vector256.Create(1f / args.Correction2);
        var eps = Vector256.Create(args.Epsilon);
        var vlr = Vector256.Create(lr);
        var decay = Vector256.Create(args.WeightDecay);
        var shrink = Vector256.Create(1f - lr * args.WeightDecay);
        var i = 0;
        fixed (float* pp = param)
        fixed (float* pg = grad)
        fixed (float* pm = m)
        fixed (float* pv = v)
        {
            for (; i + 8 <= n; i += 8)
            {
                var p = Vector256.Load(pp + i);
                var g = Vector256.Load(pg + i);
                if (args.Decoupled)
                {
                    p *= shrink;
                }
                else
                {
                    g += decay * p;
                }
                var mm = b1 * Vector256.Load(pm + i) + ob1 * g;
                var vv = b2 * Vector256.Load(pv + i) + ob2 * g * g;
                Vector256.Store(mm, pm + i);
                Vector256.Store(vv, pv + i);
                p -= vlr * (mm * ic1) / (Vector256.Sqrt(vv * ic2) + eps);
                Vector256.Store(p, pp + i);
            }
        }
        if (i < n)
        {
            ReferenceKernels<float>.Instance.AdamStep(param[i..], grad[i..], m[i..], v[i..], args);
        }
    }
}
