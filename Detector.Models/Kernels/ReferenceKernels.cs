using System.Numerics;

namespace Detector.Models.Kernels;

/// <summary>
/// Plain scalar loops, written for obviousness rather than speed: the oracle the fast kernels are tested against,
/// and (in double precision) the engine the gradient checks run on.
/// </summary>
public sealed class ReferenceKernels<T> : IKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The shared instance; the type holds no state.</summary>
    public static readonly ReferenceKernels<T> Instance = new();

    /// <inheritdoc />
    public string Name => "reference";

    /// <inheritdoc />
    public void Gemm(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
    {
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var acc = T.Zero;
                for (var p = 0; p < k; p++)
                {
                    var av = transA ? a[p * lda + i] : a[i * lda + p];
                    var bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    acc += av * bv;
                }
                var old = beta == T.Zero ? T.Zero : beta * c[i * ldc + j];
                c[i * ldc + j] = alpha * acc + old;
            }
        }
    }

    /// <inheritdoc />
    public void Linear(ReadOnlySpan<T> x, int rows, int inDim, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, int outDim,
        Activation act, T slope, Span<T> y)
    {
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < outDim; j++)
            {
                var acc = bias[j];
                for (var p = 0; p < inDim; p++)
                {
                    acc += x[i * inDim + p] * w[p * outDim + j];
                }
                y[i * outDim + j] = Apply(act, slope, acc);
            }
        }
    }

    /// <summary>act(z) for one value.</summary>
    public static T Apply(Activation act, T slope, T z) => act switch
    {
        Activation.Identity => z,
        Activation.Relu => z > T.Zero ? z : T.Zero,
        Activation.LeakyRelu => z > T.Zero ? z : slope * z,
        Activation.Tanh => T.Tanh(z),
        Activation.Sigmoid => T.One / (T.One + T.Exp(-z)),
        _ => throw new ArgumentOutOfRangeException(nameof(act), act, "unknown activation"),
    };

    /// <summary>act'(z) written through y = act(z).</summary>
    public static T Derivative(Activation act, T slope, T y) => act switch
    {
        Activation.Identity => T.One,
        Activation.Relu => y > T.Zero ? T.One : T.Zero,
        Activation.LeakyRelu => y > T.Zero ? T.One : slope,
        Activation.Tanh => T.One - y * y,
        Activation.Sigmoid => y * (T.One - y),
        _ => throw new ArgumentOutOfRangeException(nameof(act), act, "unknown activation"),
    };

    /// <inheritdoc />
    public void ActivationBackward(Activation act, T slope, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dz)
    {
        for (var i = 0; i < dz.Length; i++)
        {
            dz[i] = dy[i] * Derivative(act, slope, y[i]);
        }
    }

    /// <inheritdoc />
    public void AddColumnSums(ReadOnlySpan<T> x, int rows, int cols, Span<T> sums)
    {
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                sums[j] += x[i * cols + j];
            }
        }
    }

    /// <inheritdoc />
    public void SquaredError(ReadOnlySpan<T> target, ReadOnlySpan<T> recon, int rows, int cols, Span<T> errors, Span<T> rowMeans)
    {
        for (var i = 0; i < rows; i++)
        {
            var sum = T.Zero;
            for (var j = 0; j < cols; j++)
            {
                var d = recon[i * cols + j] - target[i * cols + j];
                errors[i * cols + j] = d * d;
                sum += d * d;
            }
            rowMeans[i] = sum / T.CreateChecked(cols);
        }
    }

    /// <inheritdoc />
    public void BinaryCrossEntropyWithLogits(ReadOnlySpan<T> target, ReadOnlySpan<T> logits, int rows, int cols, Span<T> errors, Span<T> rowMeans)
    {
        for (var i = 0; i < rows; i++)
        {
            var sum = T.Zero;
            for (var j = 0; j < cols; j++)
            {
                var z = logits[i * cols + j];
                var e = Softplus(z) - target[i * cols + j] * z;
                errors[i * cols + j] = e;
                sum += e;
            }
            rowMeans[i] = sum / T.CreateChecked(cols);
        }
    }

    /// <summary>log(1 + e^z), computed without overflow: max(z, 0) + log(1 + e^-|z|).</summary>
    public static T Softplus(T z) => T.Max(z, T.Zero) + T.Log(T.One + T.Exp(-T.Abs(z)));

    /// <inheritdoc />
    public void ScaledDifference(ReadOnlySpan<T> a, ReadOnlySpan<T> b, T s, Span<T> y)
    {
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = s * (a[i] - b[i]);
        }
    }

    /// <inheritdoc />
    public void SigmoidDifference(ReadOnlySpan<T> z, ReadOnlySpan<T> t, T s, Span<T> y)
    {
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = s * (Apply(Activation.Sigmoid, T.Zero, z[i]) - t[i]);
        }
    }

    /// <inheritdoc />
    public void Standardize(ReadOnlySpan<T> x, int rows, int cols, ReadOnlySpan<T> center, ReadOnlySpan<T> invScale, Span<T> y)
    {
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                y[i * cols + j] = (x[i * cols + j] - center[j]) * invScale[j];
            }
        }
    }

    /// <inheritdoc />
    public void ScaleInPlace(Span<T> x, T s)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] *= s;
        }
    }

    /// <inheritdoc />
    public T SumOfSquares(ReadOnlySpan<T> x)
    {
        var sum = T.Zero;
        foreach (var v in x)
        {
            sum += v * v;
        }
        return sum;
    }

    /// <inheritdoc />
    public void AdamStep(Span<T> param, ReadOnlySpan<T> grad, Span<T> m, Span<T> v, in AdamStepArgs<T> args)
    {
        var c1 = args.Correction1;
        var c2 = args.Correction2;
        for (var i = 0; i < param.Length; i++)
        {
            var g = grad[i];
            if (args.Decoupled)
            {
                param[i] -= args.LearningRate * args.WeightDecay * param[i];
            }
            else
            {
                g += args.WeightDecay * param[i];
            }
            m[i] = args.Beta1 * m[i] + (T.One - args.Beta1) * g;
            v[i] = args.Beta2 * v[i] + (T.One - args.Beta2) * g * g;
            var mHat = m[i] / c1;
            var vHat = v[i] / c2;
            param[i] -= args.LearningRate * mHat / (T.Sqrt(vHat) + args.Epsilon);
        }
    }
}
