namespace Detector.Streams.Thresholds;

/// <summary>
/// A sliding-window nearest-rank percentile within a stated relative error, by count or by time, at a small fixed cost
/// per score. Each score is kept only as its DDSketch logarithmic bucket (see <see cref="LogBucketMapping"/>): a ring
/// of bucket positions in arrival order evicts by count (and by age, with the semantics of
/// <see cref="TimeWindowPercentile"/>), and a Fenwick tree over the bucket counts finds the bucket holding the
/// nearest-rank entry x_k, k = ⌈p·n/100⌉ (see <see cref="PercentileWindow.NearestRank"/>). The threshold is that
/// bucket's representative, so with a = <see cref="RelativeError"/> it satisfies |threshold − x_k| ≤ a·|x_k| whenever
/// |x_k| ≥ <see cref="ZeroMagnitude"/> (below that, |threshold − x_k| &lt; ZeroMagnitude; ±∞ are returned exactly).
/// Unlike the exact windows, the threshold need not be a score that was seen. An add costs one logarithm, a Fenwick
/// update that stops where the evicted and the new bucket's paths meet, and a cursor step or two to the rank's bucket
/// (O(log B) at worst); memory is fixed at O(B + W), B ≈ 117 / a buckets (about 1 MB at a = 0.001), and the steady
/// state allocates nothing. Warm-up, <see cref="PercentileWindow.Reset"/> and <see cref="Clear"/> behave as for the
/// exact windows. Not thread-safe: one owner calls it.
/// </summary>
public sealed class SketchPercentile : PercentileWindow
{
    /// <summary>
    /// The smallest relative error allowed: below it the buckets, about 117 / a of them at 8 bytes, would take
    /// megabytes, and near float precision (2⁻²⁴) the bound could not be honoured by a float at all.
    /// </summary>
    public const double MinRelativeError = 1e-4;

    /// <summary>The largest relative error allowed.</summary>
    public const double MaxRelativeError = 0.05;

    /// <summary>Magnitudes below this share one bucket whose representative is 0; the relative bound holds from here up.</summary>
    public const double ZeroMagnitude = LogBucketMapping.MinMagnitude;

    /// <summary>The store, kept typed for its bucket count.</summary>
    private readonly SketchWindowStore _store;

    /// <summary>
    /// A window of the last <paramref name="windowSize"/> scores whose threshold is within
    /// <paramref name="relativeError"/> (in [<see cref="MinRelativeError"/>, <see cref="MaxRelativeError"/>]) of the
    /// exact one; +∞ until <paramref name="warmUp"/> have been seen.
    /// </summary>
    public SketchPercentile(double percentile, int windowSize, double relativeError, int warmUp = 0)
        : this(percentile, new SketchWindowStore(windowSize, relativeError, timed: false), warmUp)
    {
    }

    /// <summary>
    /// A window of the scores seen within the last <paramref name="window"/>, at most <paramref name="maxCount"/> of
    /// them, whose threshold is within <paramref name="relativeError"/> of the exact one; +∞ until
    /// <paramref name="warmUp"/> have been seen. Eviction is that of <see cref="TimeWindowPercentile"/>.
    /// </summary>
    public SketchPercentile(double percentile, TimeSpan window, int maxCount, double relativeError, int warmUp = 0)
        : this(percentile, new SketchWindowStore(maxCount, relativeError, timed: true), warmUp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        Window = window;
    }

    private SketchPercentile(double percentile, SketchWindowStore store, int warmUp)
        : base(percentile, warmUp, store)
    {
        _store = store;
    }

    /// <summary>The relative error bound a of the threshold.</summary>
    public double RelativeError => _store.RelativeError;

    /// <summary>How far back scores count, or null for a window by count.</summary>
    public TimeSpan? Window { get; }

    /// <summary>The newest timestamp seen by a time window, or null before the first (always null by count).</summary>
    public DateTimeOffset? Newest { get; private set; }

    /// <summary>Buckets, B, fixed by the relative error (for memory tests).</summary>
    internal int BucketCount => _store.Buckets;

    /// <summary>Adds a score to a window by count, evicting the oldest when full. NaN is rejected; a time window needs a timestamp.</summary>
    public void Add(float score)
    {
        if (Window is not null)
        {
            throw new InvalidOperationException("A time window needs each score's timestamp: call Add(score, timestamp).");
        }
        Append(Checked(score), 0);
    }

    /// <inheritdoc/>
    public override void Add(float score, DateTimeOffset timestamp)
    {
        score = Checked(score);
        if (Window is null)
        {
            Append(score, 0);
            return;
        }
        AdvanceTo(timestamp);
        Append(score, timestamp.UtcTicks);
    }

    /// <inheritdoc/>
    public override void AdvanceTo(DateTimeOffset now)
    {
        if (Window is not { } window || (Newest is { } newest && now <= newest))
        {
            return;
        }
        Newest = now;
        var cutoff = now.UtcTicks - window.Ticks;
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
