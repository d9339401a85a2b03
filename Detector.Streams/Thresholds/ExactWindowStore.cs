namespace Detector.Streams.Thresholds;

/// <summary>
/// The exact store: the scores twice, in arrival order (a <see cref="ScoreRing"/>, for eviction) and sorted in blocks
/// (a <see cref="SortedScores"/>, for the rank). An append costs O(log n + B) for blocks of B = 512 scores, the k-th
/// smallest O(1) while the rank moves a step at a time (O(n / B) at worst). Not thread-safe.
/// </summary>
internal sealed class ExactWindowStore : WindowStore
{
    /// <summary>Scores in arrival order.</summary>
    private readonly ScoreRing _ring;

    /// <summary>The same scores, sorted.</summary>
    private readonly SortedScores _sorted;

    public ExactWindowStore(int maxCount, bool timed)
        : base(maxCount)
    {
        _ring = new ScoreRing(maxCount, timed);
        _sorted = new SortedScores(maxCount);
    }

    /// <inheritdoc/>
    public override int Count => _ring.Count;

    /// <inheritdoc/>
    public override long OldestTicks => _ring.OldestTicks;

    /// <inheritdoc/>
    public override int Capacity => Math.Max(_ring.Capacity, _sorted.Capacity);

    /// <inheritdoc/>
    public override bool Append(float score, long ticks)
    {
        if (_ring.IsFull)
        {
            _sorted.Replace(_ring.ReplaceOldest(score, ticks), score);
            return false;
        }
        _ring.Push(score, ticks);
        _sorted.Insert(score);
        return true;
    }

    /// <inheritdoc/>
    public override void RemoveOldest() => _sorted.Remove(_ring.Pop());

    /// <inheritdoc/>
    public override float Smallest(int k) => _sorted[k - 1];

    /// <inheritdoc/>
    public override void CopyTo(Span<float> destination) => _ring.CopyTo(destination);

    /// <inheritdoc/>
    public override void Clear()
    {
        _ring.Clear();
        _sorted.Clear();
    }
}
