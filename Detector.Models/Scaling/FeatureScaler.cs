using Detector.Models.Kernels;

namespace Detector.Models.Scaling;

/// <summary>
/// Per-feature affine scaling y = (x − center)·(1/scale), fitted on training data and stored with the model.
/// A feature that is constant in the training data (scale 0) gets scale 1, so it is centred but not blown up.
/// </summary>
public sealed class FeatureScaler
{
    /// <summary>Creates a scaler from fitted statistics.</summary>
    public FeatureScaler(ScalerKind kind, float[] center, float[] scale)
    {
        if (center.Length != scale.Length)
        {
            throw new ArgumentException($"scaler has {center.Length} centers but {scale.Length} scales");
        }
        if (scale.Any(s => !(s > 0) || !float.IsFinite(s)) || center.Any(c => !float.IsFinite(c)))
        {
            throw new ArgumentException("scaler statistics must be finite with positive scales");
        }
        Kind = kind;
        Center = center;
        Scale = scale;
        InverseScale = Array.ConvertAll(scale, s => 1f / s);
    }

    /// <summary>How it was fitted.</summary>
    public ScalerKind Kind { get; }

    /// <summary>Subtracted per feature.</summary>
    public float[] Center { get; }

    /// <summary>Divided per feature (always &gt; 0).</summary>
    public float[] Scale { get; }

    /// <summary>1/scale, precomputed for the hot path.</summary>
    public float[] InverseScale { get; }

    /// <summary>Number of features.</summary>
    public int Count => Center.Length;

    /// <summary>The identity scaler for n features.</summary>
    public static FeatureScaler Identity(int n) => new(ScalerKind.None, new float[n], Enumerable.Repeat(1f, n).ToArray());

    /// <summary>Fits on data [rows, cols].</summary>
    public static FeatureScaler Fit(ScalerKind kind, ReadOnlySpan<float> data, int rows, int cols)
    {
        if (rows < 1)
        {
            throw new ArgumentException("cannot fit a scaler on zero rows");
        }
        if (kind == ScalerKind.None)
        {
            return Identity(cols);
        }
        var center = new float[cols];
        var scale = new float[cols];
        var column = new double[rows];
        for (var j = 0; j < cols; j++)
        {
            for (var i = 0; i < rows; i++)
            {
                column[i] = data[i * cols + j];
            }
            (center[j], scale[j]) = kind switch
            {
                ScalerKind.Standard => MeanStd(column),
                ScalerKind.Robust => MedianIqr(column),
                ScalerKind.MinMax => MinRange(column),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown scaler kind"),
            };
        }
        return new FeatureScaler(kind, center, scale);
    }

    /// <summary>y = (x − center)/scale for x [rows, Count].</summary>
    public void Transform(IKernels<float> k, ReadOnlySpan<float> x, int rows, Span<float> y) =>
        k.Standardize(x, rows, Count, Center, InverseScale, y);

    private static (float, float) MeanStd(double[] c)
    {
        var mean = c.Average();
        var variance = c.Sum(v => (v - mean) * (v - mean)) / c.Length;
        return ((float)mean, Positive(Math.Sqrt(variance)));
    }

    private static (float, float) MedianIqr(double[] c)
    {
        var sorted = (double[])c.Clone();
        Array.Sort(sorted);
        var iqr = Quantile(sorted, 0.75) - Quantile(sorted, 0.25);
        if (!(iqr > 0))
        {
            // Over half the values are equal: fall back to the standard deviation rather than dividing by zero.
            return ((float)Quantile(sorted, 0.5), MeanStd(c).Item2);
        }
        return ((float)Quantile(sorted, 0.5), Positive(iqr));
    }

    private static (float, float) MinRange(double[] c) => ((float)c.Min(), Positive(c.Max() - c.Min()));

    private static float Positive(double s) => s > 1e-12 && double.IsFinite(s) ? (float)s : 1f;

    /// <summary>Linear-interpolation quantile of sorted data (numpy's default).</summary>
    private static double Quantile(double[] sorted, double q)
    {
        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
