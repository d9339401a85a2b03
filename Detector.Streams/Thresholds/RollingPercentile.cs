namespace Detector.Streams.Thresholds;

/// <summary>
/// The nearest-rank percentile of the last <see cref="PercentileWindow.MaxCount"/> scores, by count (see
/// <see cref="PercentileWindow"/> for the definition and costs).
/// </summary>
public sealed class RollingPercentile : PercentileWindow
{
    /// <summary>A window of the last <paramref name="windowSize"/> scores; +∞ until <paramref name="warmUp"/> have been seen.</summary>
    public RollingPercentile(double percentile, int windowSize, int warmUp = 0)
        : base(percentile, windowSize, warmUp, timed: false)
    {
    }

    /// <summary>Adds a score, evicting the oldest when the window is full. NaN is rejected.</summary>
    public void Add(float score) => Append(Checked(score), 0);

    /// <summary>Adds a score; the timestamp plays no part in a count window.</summary>
    public override void Add(float score, DateTimeOffset timestamp) => Add(score);
}
