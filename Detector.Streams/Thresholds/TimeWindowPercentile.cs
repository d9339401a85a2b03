namespace Detector.Streams.Thresholds;

/// <summary>
/// The nearest-rank percentile of the scores seen within the last <see cref="Window"/>: with "now" the newest
/// timestamp seen, a score stays while its timestamp is in (now − Window, now]. At most
/// <see cref="PercentileWindow.MaxCount"/> scores are kept (the oldest go first), so a burst cannot grow memory.
/// Eviction runs in arrival order: a late, out-of-order score leaves when it reaches the front.
/// </summary>
public sealed class TimeWindowPercentile : PercentileWindow
{
    /// <summary>A time window bounded by <paramref name="maxCount"/> scores; +∞ until <paramref name="warmUp"/> have been seen.</summary>
    public TimeWindowPercentile(double percentile, TimeSpan window, int maxCount, int warmUp = 0)
        : base(percentile, maxCount, warmUp, timed: true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        Window = window;
    }

    /// <summary>How far back scores count.</summary>
    public TimeSpan Window { get; }

    /// <summary>The newest timestamp seen, or null before the first.</summary>
    public DateTimeOffset? Newest { get; private set; }

    /// <inheritdoc/>
    public override void Add(float score, DateTimeOffset timestamp)
    {
        score = Checked(score);
        AdvanceTo(timestamp);
        Append(score, timestamp.UtcTicks);
    }

    /// <inheritdoc/>
    public override void AdvanceTo(DateTimeOffset now)
    {
        if (Newest is { } newest && now <= newest)
        {
            return;
        }
        Newest = now;
        var cutoff = now.UtcTicks - Window.Ticks;
        while (Count > 0 && OldestTicks <= cutoff)
        {
            EvictOldest();
        }
    }

    /// <inheritdoc/>
    public override void Clear()
    {
        base.Clear();
        Newest = null;
    }
}
