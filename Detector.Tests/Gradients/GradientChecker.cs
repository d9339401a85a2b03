using Xunit;

namespace Detector.Tests.Gradients;

/// <summary>Central finite differences in double precision against analytic gradients.</summary>
internal static class GradientChecker
{
    /// <summary>
    /// For every entry of every array: (L(θ+h) − L(θ−h)) / 2h must match the analytic gradient within a relative
    /// error of tol (or an absolute 1e-7 near zero).
    /// </summary>
    public static void Check(Func<double> loss, IReadOnlyList<double[]> arrays, IReadOnlyList<double[]> analytic, string what,
        double h = 1e-6, double tol = 1e-5)
    {
        var checkedCount = 0;
        for (var a = 0; a < arrays.Count; a++)
        {
            var p = arrays[a];
            for (var i = 0; i < p.Length; i++)
            {
                var saved = p[i];
                p[i] = saved + h;
                var plus = loss();
                p[i] = saved - h;
                var minus = loss();
                p[i] = saved;
                var numeric = (plus - minus) / (2 * h);
                var exact = analytic[a][i];
                var error = Math.Abs(numeric - exact) / Math.Max(Math.Abs(numeric) + Math.Abs(exact), 1e-7 / tol);
                Assert.True(error <= tol, $"{what}: array {a}, entry {i}: analytic {exact:g8}, numeric {numeric:g8} (relative error {error:g3})");
                checkedCount++;
            }
        }
        Assert.True(checkedCount > 0, $"{what}: nothing was checked");
    }
}
