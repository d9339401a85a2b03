using Detector.Models.Networks;
using Detector.Models.Numerics;

namespace Detector.Models.Kernels;

/// <summary>
/// A backend against the scalar oracle, outside a test runner: every kernel on a few shapes, then the scores and
/// parameter gradients of an AE and a VAE on the same weights. It is what `detector gpu-check` runs on a GPU machine,
/// which has no .NET SDK to run the test suite. The error of each check is normalised by the largest expected
/// magnitude, so one tolerance serves every output: 1e-4 for FP32, 1e-2 for TF32, 5e-2 for BF16 GEMM inputs.
/// </summary>
public static class KernelParityCheck
{
    private static readonly ReferenceKernels<double> Oracle = ReferenceKernels<double>.Instance;

    /// <summary>Runs every check of <paramref name="fast"/>; GEMM-based checks use <paramref name="gemmTolerance"/>, the rest 1e-4.</summary>
    public static IReadOnlyList<KernelCheckResult> Run(IKernels<float> fast, double gemmTolerance)
    {
        ArgumentNullException.ThrowIfNull(fast);
        var results = new List<KernelCheckResult>();
        var rng = new Rng(42);
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 13, 5), (64, 129, 130), (256, 64, 30) })
        {
            foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
            {
                var a = Floats(ref rng, m * k);
                var b = Floats(ref rng, k * n);
                var c = Floats(ref rng, m * n);
                var expected = ToDouble(c);
                Oracle.Gemm(ta, tb, m, n, k, 0.5, ToDouble(a), ta ? m : k, ToDouble(b), tb ? k : n, 0.25, expected, n);
                fast.Gemm(ta, tb, m, n, k, 0.5f, a, ta ? m : k, b, tb ? k : n, 0.25f, c, n);
                results.Add(Compare($"gemm {m}x{n}x{k} ta={ta} tb={tb}", expected, c, gemmTolerance));
            }
        }
        foreach (var act in Enum.GetValues<Activation>())
        {
            const int rows = 33, inDim = 30, outDim = 64;
            var x = Floats(ref rng, rows * inDim);
            var w = Floats(ref rng, inDim * outDim, 0.2);
            var bias = Floats(ref rng, outDim);
            var y = new float[rows * outDim];
            var expected = new double[rows * outDim];
            Oracle.Linear(ToDouble(x), rows, inDim, ToDouble(w), ToDouble(bias), outDim, act, 0.01, expected);
            fast.Linear(x, rows, inDim, w, bias, outDim, act, 0.01f, y);
            results.Add(Compare($"linear {act} {rows}x{inDim}->{outDim}", expected, y, gemmTolerance));
            var dy = Floats(ref rng, y.Length);
            var dz = new float[y.Length];
            var dzExpected = new double[y.Length];
            Oracle.ActivationBackward(act, 0.01, ToDouble(y), ToDouble(dy), dzExpected);
            fast.ActivationBackward(act, 0.01f, y, dy, dz);
            results.Add(Compare($"activation backward {act}", dzExpected, dz, 1e-4));
        }
        ElementwiseChecks(fast, ref rng, results);
        foreach (var kind in new[] { ModelKind.Autoencoder, ModelKind.VariationalAutoencoder })
        {
            ModelChecks(fast, kind, gemmTolerance, results);
        }
        return results;
    }

    private static void ElementwiseChecks(IKernels<float> fast, ref Rng rng, List<KernelCheckResult> results)
    {
        const int rows = 37, cols = 29, n = rows * cols;
        var a = Floats(ref rng, n);
        var t = Floats(ref rng, n);
        var t01 = Array.ConvertAll(t, v => 1f / (1f + MathF.Exp(-v)));
        var sums = Floats(ref rng, cols);
        var sumsExpected = ToDouble(sums);
        Oracle.AddColumnSums(ToDouble(a), rows, cols, sumsExpected);
        fast.AddColumnSums(a, rows, cols, sums);
        results.Add(Compare("column sums", sumsExpected, sums, 1e-4));

        float[] e = new float[n], means = new float[rows], d = new float[n];
        double[] eExpected = new double[n], meansExpected = new double[rows], dExpected = new double[n];
        Oracle.SquaredError(ToDouble(t), ToDouble(a), rows, cols, eExpected, meansExpected);
        fast.SquaredError(t, a, rows, cols, e, means);
        results.Add(Compare("squared error", eExpected, e, 1e-4));
        results.Add(Compare("squared error row means", meansExpected, means, 1e-4));
        Oracle.BinaryCrossEntropyWithLogits(ToDouble(t01), ToDouble(a), rows, cols, eExpected, meansExpected);
        fast.BinaryCrossEntropyWithLogits(t01, a, rows, cols, e, means);
        results.Add(Compare("bce with logits", eExpected, e, 1e-4));
        results.Add(Compare("bce row means", meansExpected, means, 1e-4));
        Oracle.ScaledDifference(ToDouble(a), ToDouble(t), 0.3, dExpected);
        fast.ScaledDifference(a, t, 0.3f, d);
        results.Add(Compare("scaled difference", dExpected, d, 1e-4));
        Oracle.SigmoidDifference(ToDouble(a), ToDouble(t01), 0.3, dExpected);
        fast.SigmoidDifference(a, t01, 0.3f, d);
        results.Add(Compare("sigmoid difference", dExpected, d, 1e-4));
        var center = Floats(ref rng, cols);
        var inv = Array.ConvertAll(Floats(ref rng, cols), v => 0.5f + MathF.Abs(v));
        Oracle.Standardize(ToDouble(a), rows, cols, ToDouble(center), ToDouble(inv), dExpected);
        fast.Standardize(a, rows, cols, center, inv, d);
        results.Add(Compare("standardize", dExpected, d, 1e-4));
        var scaled = (float[])a.Clone();
        var scaledExpected = ToDouble(a);
        Oracle.ScaleInPlace(scaledExpected, -1.7);
        fast.ScaleInPlace(scaled, -1.7f);
        results.Add(Compare("scale in place", scaledExpected, scaled, 1e-4));
        results.Add(Compare("sum of squares", [Oracle.SumOfSquares(ToDouble(a))], [fast.SumOfSquares(a)], 1e-4));
        var p = Floats(ref rng, n);
        var pd = ToDouble(p);
        float[] m = new float[n], v = new float[n];
        double[] md = new double[n], vd = new double[n];
        for (var step = 1; step <= 3; step++)
        {
            var g = Floats(ref rng, n);
            fast.AdamStep(p, g, m, v, new AdamStepArgs<float>(1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f, true, step));
            Oracle.AdamStep(pd, ToDouble(g), md, vd, new AdamStepArgs<double>(1e-2, 0.9, 0.999, 1e-8, 0.01, true, step));
        }
        results.Add(Compare("adamw 3 steps", pd, p, 1e-4));
    }

    private static void ModelChecks(IKernels<float> fast, ModelKind kind, double tolerance, List<KernelCheckResult> results)
    {
        const int rows = 48, cols = 13;
        var rng = new Rng(17);
        var options = new ModelOptions { Kind = kind, HiddenSizes = [32, 16], CodeSize = 4, HiddenActivation = Activation.Tanh };
        var net = ReconstructionNetwork<float>.FromOptions(options, cols, ref rng);
        var x = Floats(ref rng, rows * cols);
        var (expectedScores, expectedLoss, expectedGrads) = Evaluate(net, ReferenceKernels<float>.Instance, x, rows, cols);
        var (scores, loss, grads) = Evaluate(net, fast, x, rows, cols);
        results.Add(Compare($"{kind} scores", ToDouble(expectedScores), scores, tolerance));
        results.Add(Compare($"{kind} loss", [expectedLoss], [(float)loss], tolerance));
        for (var i = 0; i < grads.Length; i++)
        {
            results.Add(Compare($"{kind} gradient {i}", ToDouble(expectedGrads[i]), grads[i], tolerance));
        }
    }

    private static (float[] Scores, double Loss, float[][] Grads) Evaluate(ReconstructionNetwork<float> net, IKernels<float> k, float[] x, int rows, int cols)
    {
        var scores = new float[rows];
        var noise = new Rng(5);
        net.Score(k, x, rows, net.CreateWorkspace(rows, training: false), ref noise, scores, new float[rows * cols]);
        var grads = net.CreateGradients();
        noise = new Rng(9);
        var loss = net.Loss(k, x, x, rows, net.CreateWorkspace(rows, training: true), ref noise, true, grads);
        return (scores, loss, grads);
    }

    private static KernelCheckResult Compare(string check, ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance)
    {
        double scale = 0, worst = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            var diff = Math.Abs(actual[i] - expected[i]);
            worst = double.IsNaN(diff) ? double.NaN : Math.Max(worst, diff);
        }
        return new KernelCheckResult(check, worst / Math.Max(scale, 1e-30), tolerance);
    }

    private static float[] Floats(ref Rng rng, int n, double scale = 1.0)
    {
        var a = new float[n];
        for (var i = 0; i < n; i++)
        {
            a[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    private static double[] ToDouble(float[] a) => Array.ConvertAll(a, v => (double)v);
}
