namespace Detector.Streams.Thresholds;

/// <summary>
/// What a <see cref="PercentileWindow"/> keeps: its entries in arrival order (for eviction by count or age) and a way
/// to find the k-th smallest. <see cref="ExactWindowStore"/> keeps the scores themselves; <see cref="SketchWindowStore"/>
/// keeps only each score's logarithmic bucket and answers within a relative error. Not thread-safe.
/// </summary>
internal abstract class WindowStore
{
    private protected WindowStore(int maxCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        MaxCount = maxCount;
    }

    /// <summary>The most entries the store holds.</summary>
    public int MaxCount { get; }

    /// <summary>Entries held.</summary>
    public abstract int Count { get; }

    /// <summary>The oldest entry's timestamp ticks (0 for a count window); the store must not be empty.</summary>
    public abstract long OldestTicks { get; }

    /// <summary>Array slots allocated for entries in arrival order or sorted (for memory-bound tests).</summary>
    public abstract int Capacity { get; }

    /// <summary>Appends a score (never NaN, −0 already folded), evicting the oldest first when full; returns whether the count grew.</summary>
    public abstract bool Append(float score, long ticks);

    /// <summary>Drops the oldest entry; the store must not be empty.</summary>
    public abstract void RemoveOldest();

    /// <summary>The k-th smallest entry, k from 1 to <see cref="Count"/> (for a sketch, its bucket's representative).</summary>
    public abstract float Smallest(int k);

    /// <summary>Copies the entries, oldest first, into <paramref name="destination"/> (for a sketch, each bucket's representative).</summary>
    public abstract void CopyTo(Span<float> destination);

    /// <summary>Empties the store (keeps its allocations).</summary>
    public abstract void Clear();
}
