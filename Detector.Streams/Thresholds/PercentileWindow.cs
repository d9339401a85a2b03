namespace Detector.Streams.Thresholds;

/// <summary>
/// The p-th percentile of a sliding window of scores, by nearest rank: with the window's n scores sorted ascending as
/// x₁ ≤ … ≤ xₙ, the threshold is x_k with k = ⌈p·n/100⌉ (clamped to [1, n]). p = 100 gives the maximum, and a score
/// is anomalous when it is strictly greater. The exact windows (<see cref="RollingPercentile"/>,
/// <see cref="TimeWindowPercentile"/>) keep their scores twice, in arrival order (a ring, for eviction) and sorted in
/// blocks (for the rank; see <see cref="SortedScores"/>): an add costs O(log n + B) for blocks of B = 512 scores, the
/// threshold O(1) while the rank moves a step at a time (and O(n / B) at worst), memory a small multiple of
/// <see cref="MaxCount"/>, and the threshold is always a score that was seen. <see cref="SketchPercentile"/> keeps
/// only each score's logarithmic bucket and returns the representative of the bucket holding x_k, within a stated
/// relative error, at a fraction of the cost. Until <see cref="WarmUp"/> scores have been seen, <see cref="Threshold"/>
/// is +∞ so nothing is flagged. Not thread-safe: one owner (a threshold actor) calls it.
/// </summary>
public abstract class PercentileWindow
{
    /// <summary>The entries, in arrival order and ranked (exact or bucketed).</summary>
    private readonly WindowStore _store;

    /// <summary>The nearest rank (from 1) of <see cref="Percentile"/> for the current count, 0 when empty; recomputed only when the count changes.</summary>
    private int _rank;

    private protected PercentileWindow(double percentile, int maxCount, int warmUp, bool timed)
        : this(percentile, warmUp, new ExactWindowStore(maxCount, timed))
    {
    }

    private protected PercentileWindow(double percentile, int warmUp, WindowStore store)
    {
        if (!(percentile > 0 && percentile <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "percentile must be in (0, 100]");
        }
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegative(warmUp);
        Percentile = percentile;
        MaxCount = store.MaxCount;
        WarmUp = warmUp;
        _store = store;
    }

    /// <summary>p, in (0, 100].</summary>
    public double Percentile { get; }

    /// <summary>The most scores the window holds.</summary>
    public int MaxCount { get; }

    /// <summary>Scores to see before the threshold is finite.</summary>
    public int WarmUp { get; }

    /// <summary>Scores in the window now.</summary>
    public int Count => _store.Count;

    /// <summary>Scores added since creation or the last <see cref="Reset"/> (evicted ones included).</summary>
    public long Seen { get; private set; }

    /// <summary>Whether at least <see cref="WarmUp"/> scores have been seen.</summary>
    public bool IsWarm => Seen >= WarmUp;

    /// <summary>The nearest-rank percentile of the window; +∞ while not warm or when the window is empty.</summary>
    public float Threshold => IsWarm && _rank > 0 ? _store.Smallest(_rank) : float.PositiveInfinity;

    /// <summary>Array slots allocated for the window's entries (each buffer grows by doubling up to <see cref="MaxCount"/>).</summary>
    internal int AllocatedCapacity => _store.Capacity;

    /// <summary>
    /// The 1-based nearest rank ⌈p·n/100⌉, clamped to [1, n]. A tolerance of 1e-9 keeps decimal percentiles such as
    /// 99.9 from being pushed up a rank by binary rounding (99.9·1000/100 evaluates to 999.0000000000001).
    /// </summary>
    public static int NearestRank(double percentile, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var rank = (long)Math.Ceiling(percentile * count / 100.0 - 1e-9);
        return (int)Math.Clamp(rank, 1, count);
    }

    /// <summary>The nearest-rank <paramref name="percentile"/> of the window regardless of warm-up; +∞ when empty.</summary>
    public float ValueAt(double percentile)
    {
        if (!(percentile > 0 && percentile <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "percentile must be in (0, 100]");
        }
        if (Count == 0)
        {
            return float.PositiveInfinity;
        }
        return _store.Smallest(percentile == Percentile ? _rank : NearestRank(percentile, Count));
    }

    /// <summary>Copies the window's scores, oldest first, into <paramref name="destination"/> (at least <see cref="Count"/> long; a sketch gives each bucket's representative).</summary>
    internal void CopyTo(Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Count, nameof(destination));
        _store.CopyTo(destination);
    }

    /// <summary>Adds a score observed at <paramref name="timestamp"/>, evicting what falls out of the window. NaN is rejected.</summary>
    public abstract void Add(float score, DateTimeOffset timestamp);

    /// <summary>Moves the window's notion of "now" forward, evicting what has aged out (no-op for count windows).</summary>
    public virtual void AdvanceTo(DateTimeOffset now)
    {
    }

    /// <summary>
    /// Replaces the contents with <paramref name="scores"/> (the last <see cref="MaxCount"/> of them are kept), as if
    /// they had just been seen at <paramref name="timestamp"/>; <see cref="Seen"/> becomes their number, so the
    /// window is warm only if they are at least <see cref="WarmUp"/>.
    /// </summary>
    public void Reset(IEnumerable<float> scores, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(scores);
        Clear();
        foreach (var score in scores)
        {
            Add(score, timestamp);
        }
    }

    /// <summary>Ends the warm-up now: the scores held are calibration (held out at training), trusted whatever their number.</summary>
    public void MarkWarm() => Seen = Math.Max(Seen, WarmUp);

    /// <summary>Empties the window and forgets the warm-up.</summary>
    public virtual void Clear()
    {
        _store.Clear();
        _rank = 0;
        Seen = 0;
    }

    /// <summary>The score, with −0 folded into +0 (they compare equal; the sorted view must find what the ring holds).</summary>
    private protected static float Checked(float score)
    {
        if (float.IsNaN(score))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "a NaN score cannot be ranked");
        }
        return score + 0f;
    }

    /// <summary>Appends, evicting the oldest first when full.</summary>
    private protected void Append(float score, long ticks)
    {
        if (_store.Append(score, ticks))
        {
            _rank = NearestRank(Percentile, _store.Count);
        }
        Seen++;
    }

    /// <summary>The oldest entry's timestamp ticks; the window must not be empty.</summary>
    private protected long OldestTicks => _store.OldestTicks;

    /// <summary>Drops the oldest entry.</summary>
    private protected void EvictOldest()
    {
        _store.RemoveOldest();
        _rank = _store.Count == 0 ? 0 : NearestRank(Percentile, _store.Count);
    }
}
