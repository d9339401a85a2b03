using Xunit;
using Detector.Models.Kernels;
using Detector.Models.Numerics;
using FsCheck;
using FsCheck.Fluent;

namespace Detector.Tests.Kernels;

/// <summary>
/// Every fast kernel against the scalar oracle (run in double on the same float inputs), over many random shapes
/// including odd sizes and batch 1. A contract suite: one subclass per fast implementation.
/// </summary>
public abstract class KernelOracleContract
{
    /// <summary>The implementation under test.</summary>
    protected abstract IKernels<float> Fast { get; }
    private static readonly ReferenceKernels<double> Oracle = ReferenceKernels<double>.Instance;

    private static Arbitrary<(int, int, int, int)> Shapes() =>
        (from m in Gen.Choose(1, 37)
         from n in Gen.Choose(1, 70)
         from k in Gen.Choose(1, 70)
         from seed in Gen.Choose(0, int.MaxValue)
         select (m, n, k, seed)).ToArbitrary();

    [ContractFact]
    public void Gemm_AllTransposes_MatchOracle()
    {
        Prop.ForAll(Shapes(), shape =>
        {
            var (m, n, k, seed) = shape;
            var rng = new Rng((ulong)seed);
            foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
            {
                var a = TestData.Floats(ref rng, m * k);
                var b = TestData.Floats(ref rng, k * n);
                var c = TestData.Floats(ref rng, m * n);
                var expected = TestData.ToDouble(c);
                var lda = ta ? m : k;
                var ldb = tb ? k : n;
                Oracle.Gemm(ta, tb, m, n, k, 0.5, TestData.ToDouble(a), lda, TestData.ToDouble(b), ldb, 0.25, expected, n);
                Fast.Gemm(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 0.25f, c, n);
                TestData.Close(expected, c, 1e-4, 1e-4 * Math.Sqrt(k), $"gemm {m}x{n}x{k} ta={ta} tb={tb}");
            }
        }).QuickCheckThrowOnFailure();
    }

    [ContractTheory]
    [InlineData(Activation.Identity)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.LeakyRelu)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    public void Linear_RandomShapes_MatchOracle(Activation act)
    {
        Prop.ForAll(Shapes(), shape =>
        {
            var (rows, outDim, inDim, seed) = shape;
            CheckLinear(act, rows, inDim, outDim, (ulong)seed);
        }).QuickCheckThrowOnFailure();
    }

    [ContractTheory]
    [InlineData(1, 2048, 512)]
    [InlineData(7, 300, 200)]
    [InlineData(64, 129, 130)]
    [InlineData(3, 1, 1)]
    public void Linear_LargeAndEdgeShapes_MatchOracle(int rows, int inDim, int outDim)
    {
        foreach (var act in Enum.GetValues<Activation>())
        {
            CheckLinear(act, rows, inDim, outDim, 7);
        }
    }

    private void CheckLinear(Activation act, int rows, int inDim, int outDim, ulong seed)
    {
        var rng = new Rng(seed);
        var x = TestData.Floats(ref rng, rows * inDim);
        var w = TestData.Floats(ref rng, inDim * outDim, 1 / Math.Sqrt(inDim));
        var b = TestData.Floats(ref rng, outDim);
        var y = new float[rows * outDim];
        var expected = new double[rows * outDim];
        Oracle.Linear(TestData.ToDouble(x), rows, inDim, TestData.ToDouble(w), TestData.ToDouble(b), outDim, act, 0.01, expected);
        Fast.Linear(x, rows, inDim, w, b, outDim, act, 0.01f, y);
        TestData.Close(expected, y, 1e-4, 1e-5, $"linear {act} {rows}x{inDim}->{outDim}");
    }

    [ContractFact]
    public void Linear_WritesNothingBeyondOutput()
    {
        var rng = new Rng(3);
        const int rows = 5, inDim = 9, outDim = 13;
        var y = Enumerable.Repeat(-7f, rows * outDim + 16).ToArray();
        Fast.Linear(TestData.Floats(ref rng, rows * inDim), rows, inDim, TestData.Floats(ref rng, inDim * outDim),
            TestData.Floats(ref rng, outDim), outDim, Activation.Relu, 0f, y);
        Assert.All(y[(rows * outDim)..], v => Assert.Equal(-7f, v));
    }

    [ContractFact]
    public void ElementwiseKernels_RandomLengths_MatchOracle()
    {
        Prop.ForAll(Shapes(), shape =>
        {
            var (rows, cols, _, seed) = shape;
            var rng = new Rng((ulong)seed);
            var n = rows * cols;
            var a = TestData.Floats(ref rng, n);
            var t = TestData.Floats(ref rng, n);
            var t01 = Array.ConvertAll(t, v => 1f / (1f + MathF.Exp(-v)));
            var ad = TestData.ToDouble(a);

            foreach (var act in Enum.GetValues<Activation>())
            {
                var y = new float[n];
                Fast.Linear(a, rows, cols, Identity(cols), new float[cols], cols, act, 0.1f, y);
                var dz = new float[n];
                var expected = new double[n];
                Oracle.ActivationBackward(act, 0.1, TestData.ToDouble(y), TestData.ToDouble(t), expected);
                Fast.ActivationBackward(act, 0.1f, y, t, dz);
                TestData.Close(expected, dz, 1e-5, 1e-6, $"activation backward {act} n={n}");
            }

            var sums = TestData.Floats(ref rng, cols);
            var sumsExpected = TestData.ToDouble(sums);
            Oracle.AddColumnSums(ad, rows, cols, sumsExpected);
            Fast.AddColumnSums(a, rows, cols, sums);
            TestData.Close(sumsExpected, sums, 1e-5, 1e-5, "column sums");

            var e = new float[n];
            var means = new float[rows];
            var eExpected = new double[n];
            var meansExpected = new double[rows];
            Oracle.SquaredError(TestData.ToDouble(t), ad, rows, cols, eExpected, meansExpected);
            Fast.SquaredError(t, a, rows, cols, e, means);
            TestData.Close(eExpected, e, 1e-5, 1e-6, "squared error");
            TestData.Close(meansExpected, means, 1e-5, 1e-6, "squared error row means");

            Oracle.BinaryCrossEntropyWithLogits(TestData.ToDouble(t01), ad, rows, cols, eExpected, meansExpected);
            Fast.BinaryCrossEntropyWithLogits(t01, a, rows, cols, e, means);
            TestData.Close(eExpected, e, 1e-5, 1e-6, "bce");
            TestData.Close(meansExpected, means, 1e-5, 1e-6, "bce row means");

            var d = new float[n];
            var dExpected = new double[n];
            Oracle.ScaledDifference(ad, TestData.ToDouble(t), 0.3, dExpected);
            Fast.ScaledDifference(a, t, 0.3f, d);
            TestData.Close(dExpected, d, 1e-5, 1e-6, "scaled difference");

            Oracle.SigmoidDifference(ad, TestData.ToDouble(t01), 0.3, dExpected);
            Fast.SigmoidDifference(a, t01, 0.3f, d);
            TestData.Close(dExpected, d, 1e-5, 1e-6, "sigmoid difference");

            var center = TestData.Floats(ref rng, cols);
            var inv = Array.ConvertAll(TestData.Floats(ref rng, cols), v => 0.5f + Math.Abs(v));
            Oracle.Standardize(ad, rows, cols, TestData.ToDouble(center), TestData.ToDouble(inv), dExpected);
            Fast.Standardize(a, rows, cols, center, inv, d);
            TestData.Close(dExpected, d, 1e-5, 1e-6, "standardize");

            var scaled = (float[])a.Clone();
            var scaledExpected = TestData.ToDouble(a);
            Oracle.ScaleInPlace(scaledExpected, -1.7);
            Fast.ScaleInPlace(scaled, -1.7f);
            TestData.Close(scaledExpected, scaled, 1e-6, 1e-7, "scale");

            TestData.Close([Oracle.SumOfSquares(ad)], [Fast.SumOfSquares(a)], 1e-5, 1e-6, "sum of squares");
        }).QuickCheckThrowOnFailure();
    }

    [ContractTheory]
    [InlineData(false, 0.0)]
    [InlineData(false, 0.01)]
    [InlineData(true, 0.05)]
    public void AdamStep_SeveralSteps_MatchesOracle(bool decoupled, double decay)
    {
        foreach (var n in new[] { 1, 7, 8, 33, 1000 })
        {
            var rng = new Rng((ulong)n);
            var p = TestData.Floats(ref rng, n);
            var pd = TestData.ToDouble(p);
            float[] m = new float[n], v = new float[n];
            double[] md = new double[n], vd = new double[n];
            for (var step = 1; step <= 5; step++)
            {
                var g = TestData.Floats(ref rng, n);
                Fast.AdamStep(p, g, m, v, new AdamStepArgs<float>(1e-2f, 0.9f, 0.999f, 1e-8f, (float)decay, decoupled, step));
                Oracle.AdamStep(pd, TestData.ToDouble(g), md, vd, new AdamStepArgs<double>(1e-2, 0.9, 0.999, 1e-8, decay, decoupled, step));
            }
            TestData.Close(pd, p, 1e-4, 1e-5, $"adam n={n} decoupled={decoupled}");
        }
    }

    private static float[] Identity(int n)
    {
        var w = new float[n * n];
        for (var i = 0; i < n; i++)
        {
            w[i * n + i] = 1f;
        }
        return w;
    }
}

/// <summary>The default CPU backend (managed kernel for small layers, OpenBLAS for large ones).</summary>
public sealed class AutoCpuKernelTests : KernelOracleContract
{
    /// <inheritdoc />
    protected override IKernels<float> Fast => CpuKernels.Instance;
}

/// <summary>The CPU backend with every dense layer through OpenBLAS.</summary>
public sealed class BlasCpuKernelTests : KernelOracleContract
{
    private static readonly CpuKernels Kernels = new(LinearPath.Blas);

    /// <inheritdoc />
    protected override IKernels<float> Fast => Kernels;
}

/// <summary>The CPU backend with every dense layer through the managed SIMD kernel.</summary>
public sealed class ManagedCpuKernelTests : KernelOracleContract
{
    private static readonly CpuKernels Kernels = new(LinearPath.Managed);

    /// <inheritdoc />
    protected override IKernels<float> Fast => Kernels;
}
