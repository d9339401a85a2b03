using System.Diagnostics;

namespace Detector.Streams.Thresholds;

/// <summary>
/// The window's entries in arrival order: a ring of (score, timestamp ticks) that grows by doubling up to
/// <see cref="MaxCount"/>. Oldest at the front. Count windows keep no timestamps (no tick array at all), which halves
/// their memory. Not thread-safe.
/// </summary>
internal sealed class ScoreRing
{
    /// <summary>Scores; slot (head + i) mod length holds the i-th oldest.</summary>
    private float[] _scores;

    /// <summary>UTC ticks, parallel to <see cref="_scores"/>; null for count windows, which have no use for them.</summary>
    private long[]? _ticks;

    /// <summary>Slot of the oldest entry.</summary>
    private int _head;

    /// <summary>Entries held.</summary>
    private int _count;

    public ScoreRing(int maxCount, bool timed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        MaxCount = maxCount;
        var initial = Math.Min(maxCount, 16);
        _scores = new float[initial];
        _ticks = timed ? new long[initial] : null;
    }

    /// <summary>The most entries the ring holds.</summary>
    public int MaxCount { get; }

    /// <summary>Entries held.</summary>
    public int Count => _count;

    /// <summary>The allocated capacity (for memory-bound tests).</summary>
    public int Capacity => _scores.Length;

    /// <summary>Whether the ring holds <see cref="MaxCount"/> entries.</summary>
    public bool IsFull => _count == MaxCount;

    /// <summary>The oldest score.</summary>
    public float OldestScore => _scores[_head];

    /// <summary>The oldest entry's timestamp ticks (0 for a count window).</summary>
    public long OldestTicks => _ticks is null ? 0 : _ticks[_head];

    /// <summary>Appends; the ring must not be full.</summary>
    public void Push(float score, long ticks)
    {
        Debug.Assert(_count < MaxCount, "Push into a full ring; the window must evict first.");
        if (_count == _scores.Length)
        {
            Grow();
        }
        var slot = Wrap(_head + _count);
        _scores[slot] = score;
        if (_ticks is not null)
        {
            _ticks[slot] = ticks;
        }
        _count++;
    }

    /// <summary>Overwrites the oldest entry with a new newest one (the ring must be full) and returns the old score.</summary>
    public float ReplaceOldest(float score, long ticks)
    {
        Debug.Assert(_count == MaxCount && _count == _scores.Length, "ReplaceOldest on a ring that is not full.");
        var slot = _head;
        var old = _scores[slot];
        _scores[slot] = score;
        if (_ticks is not null)
        {
            _ticks[slot] = ticks;
        }
        _head = Wrap(slot + 1);
        return old;
    }

    /// <summary>Drops the oldest entry and returns its score.</summary>
    public float Pop()
    {
        Debug.Assert(_count > 0, "Pop from an empty ring.");
        var score = _scores[_head];
        _head = Wrap(_head + 1);
        _count--;
        return score;
    }

    /// <summary>Copies the scores, oldest first, into <paramref name="destination"/> (at least <see cref="Count"/> long).</summary>
    public void CopyTo(Span<float> destination)
    {
        var first = Math.Min(_count, _scores.Length - _head);
        _scores.AsSpan(_head, first).CopyTo(destination);
        _scores.AsSpan(0, _count - first).CopyTo(destination[first..]);
    }

    /// <summary>Empties the ring (keeps the allocation).</summary>
    public void Clear()
    {
        _head = 0;
        _count = 0;
    }

    /// <summary>A slot index in [0, 2·length) folded into [0, length) without a division.</summary>
    private int Wrap(int slot) => slot >= _scores.Length ? slot - _scores.Length : slot;

    private void Grow()
    {
        var length = (int)Math.Min((long)_scores.Length * 2, MaxCount);
        var scores = new float[length];
        var ticks = _ticks is null ? null : new long[length];
        for (var i = 0; i < _count; i++)
        {
            var slot = Wrap(_head + i);
            scores[i] = _scores[slot];
            if (ticks is not null)
            {
                ticks[i] = _ticks![slot];
            }
        }
        _scores = scores;
        _ticks = ticks;
        _head = 0;
    }
}
