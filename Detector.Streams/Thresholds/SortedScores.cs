using System.Diagnostics;

namespace Detector.Streams.Thresholds;

/// <summary>
/// A multiset of scores kept in one ascending array, so the k-th smallest is an index (O(1)). Insert and remove find
/// their place by binary search (O(log n)) and shift the tail (O(n) memmove, a few microseconds at n = 100k);
/// <see cref="Replace"/>, the sliding window's steady state, shifts only the elements between the old and the new
/// value's positions. The array grows by doubling up to <see cref="MaxCount"/>, so a window that never fills (a
/// quiet entity) costs memory in proportion to what it holds. Not thread-safe.
/// </summary>
internal sealed class SortedScores
{
    /// <summary>Ascending; only the first <see cref="_count"/> entries are live.</summary>
    private float[] _items;

    /// <summary>Live entries.</summary>
    private int _count;

    public SortedScores(int maxCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        MaxCount = maxCount;
        _items = new float[Math.Min(maxCount, 16)];
    }

    /// <summary>The most entries the multiset will hold.</summary>
    public int MaxCount { get; }

    /// <summary>Entries held.</summary>
    public int Count => _count;

    /// <summary>The allocated capacity (for memory-bound tests).</summary>
    public int Capacity => _items.Length;

    /// <summary>The k-th smallest entry, k from 0.</summary>
    public float this[int rank]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)rank, (uint)_count, nameof(rank));
            return _items[rank];
        }
    }

    /// <summary>Adds <paramref name="score"/>; the multiset must not be full.</summary>
    public void Insert(float score)
    {
        Debug.Assert(_count < MaxCount, "Insert into a full multiset; the window must evict first.");
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, (int)Math.Min((long)_items.Length * 2, MaxCount));
        }
        var at = LowerBound(score);
        Array.Copy(_items, at, _items, at + 1, _count - at);
        _items[at] = score;
        _count++;
        AssertInvariants();
    }

    /// <summary>Removes one entry equal to <paramref name="score"/>, which must be present.</summary>
    public void Remove(float score)
    {
        var at = IndexOf(score);
        Array.Copy(_items, at + 1, _items, at, _count - at - 1);
        _count--;
        AssertInvariants();
    }

    /// <summary>Removes one entry equal to <paramref name="old"/> and adds <paramref name="score"/>, shifting only what lies between.</summary>
    public void Replace(float old, float score)
    {
        var from = IndexOf(old);
        if (score > old)
        {
            // Everything in (from, to) is in [old, score): slide it left one place and put score at the end of the run.
            var to = LowerBound(score);
            Array.Copy(_items, from + 1, _items, from, to - 1 - from);
            _items[to - 1] = score;
        }
        else if (score < old)
        {
            // Everything in [to, from) is in [score, old]: slide it right one place and put score at its front.
            var to = LowerBound(score);
            Array.Copy(_items, to, _items, to + 1, from - to);
            _items[to] = score;
        }
        AssertInvariants();
    }

    /// <summary>Empties the multiset (keeps the allocation).</summary>
    public void Clear() => _count = 0;

    /// <summary>The first index whose entry is ≥ <paramref name="score"/> (or <see cref="Count"/>).</summary>
    private int LowerBound(float score)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (_items[mid] < score)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private int IndexOf(float score)
    {
        var at = LowerBound(score);
        if (at == _count || _items[at] != score)
        {
            throw new InvalidOperationException($"Score {score} is not in the window; the ring and the sorted view disagree.");
        }
        return at;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_count >= 0 && _count <= MaxCount, "The multiset holds more entries than its bound.");
        Debug.Assert(_items.Length <= MaxCount, "The multiset allocated beyond its bound.");
        for (var i = 1; i < Math.Min(_count, 64); i++)
        {
            Debug.Assert(_items[i - 1] <= _items[i], "The sorted view is out of order.");
        }
    }
}
