using Detector.Streams.Thresholds;

namespace Detector.Tests.Thresholds;

/// <summary>The sketch's contract against an exact value: within a·|exact| from the zero bucket's edge up, within it below, ±∞ exact.</summary>
public static class SketchBound
{
    /// <summary>Whether <paramref name="sketched"/> honours relative error <paramref name="relativeError"/> for <paramref name="exact"/>.</summary>
    public static bool Holds(float exact, float sketched, double relativeError)
    {
        if (float.IsInfinity(exact) || float.IsInfinity(sketched))
        {
            return exact == sketched;
        }
        double e = exact;
        var error = Math.Abs((double)sketched - e);
        return Math.Abs(e) >= SketchPercentile.ZeroMagnitude
            ? error <= relativeError * Math.Abs(e)
            : error < SketchPercentile.ZeroMagnitude;
    }
}
