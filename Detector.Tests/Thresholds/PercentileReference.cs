namespace Detector.Tests.Thresholds;

/// <summary>
/// The definition the windows must match, computed the slow, obvious way: sort the window and take the nearest rank
/// k = ⌈p·n/100⌉ in exact decimal arithmetic (so the reference does not share the implementation's rounding).
/// </summary>
public static class PercentileReference
{
    /// <summary>The nearest-rank percentile of <paramref name="window"/>, or +∞ when it is empty.</summary>
    public static float Of(IEnumerable<float> window, double percentile)
    {
        var sorted = window.OrderBy(x => x).ToArray();
        if (sorted.Length == 0)
        {
            return float.PositiveInfinity;
        }
        var rank = (int)Math.Ceiling((decimal)percentile * sorted.Length / 100m);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
