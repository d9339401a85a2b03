using System.Diagnostics;

namespace Detector.Streams.Thresholds;

/// <summary>
/// The sketch store behind <see cref="SketchPercentile"/>: each entry is kept only as its bucket position (see
/// <see cref="LogBucketMapping"/>), in a ring in arrival order (with timestamp ticks for time windows), and counted
/// per bucket in a <see cref="FenwickCounts"/>. An append costs one logarithm and a Fenwick move (nothing when the
/// evicted entry shares the new one's bucket); the k-th smallest costs a few steps of the cursor while the rank's
/// bucket stays near, O(log B) at worst. The ring grows by doubling up to <see cref="WindowStore.MaxCount"/>; the
/// counts are fixed at construction (B = 2M + 3 buckets, about 117/a for relative error a), so memory is
/// O(B + W) and the steady state allocates nothing. Not thread-safe.
/// </summary>
internal sealed class SketchWindowStore : WindowStore
{
    /// <summary>Score → bucket position → representative.</summary>
    private readonly LogBucketMapping _mapping;

    /// <summary>Entries per bucket, with the tree that finds the k-th.</summary>
    private readonly FenwickCounts _counts;

    /// <summary>Bucket positions in arrival order; slot (head + i) mod length holds the i-th oldest.</summary>
    private int[] _positions;

    /// <summary>UTC ticks, parallel to <see cref="_positions"/>; null for count windows.</summary>
    private long[]? _ticks;

    /// <summary>Slot of the oldest entry.</summary>
    private int _head;

    /// <summary>Entries held.</summary>
    private int _count;

    /// <summary>The bucket whose representative <see cref="_lastValue"/> holds, or −1: the threshold is read once or twice per add.</summary>
    private int _lastPosition = -1;

    /// <summary>The representative of <see cref="_lastPosition"/>.</summary>
    private float _lastValue;

    public SketchWindowStore(int maxCount, double relativeError, bool timed)
        : base(maxCount)
    {
        _mapping = new LogBucketMapping(relativeError);
        _counts = new FenwickCounts(_mapping.Positions);
        var initial = Math.Min(maxCount, 16);
        _positions = new int[initial];
        _ticks = timed ? new long[initial] : null;
    }

    /// <summary>The stated relative error.</summary>
    public double RelativeError => _mapping.RelativeError;

    /// <summary>Buckets, B.</summary>
    public int Buckets => _counts.Buckets;

    /// <inheritdoc/>
    public override int Count => _count;

    /// <inheritdoc/>
    public override long OldestTicks => _ticks is null ? 0 : _ticks[_head];

    /// <inheritdoc/>
    public override int Capacity => _positions.Length;

    /// <inheritdoc/>
    public override bool Append(float score, long ticks)
    {
        var position = _mapping.Position(score);
        if (_count == MaxCount)
        {
            // Full means the ring has grown to MaxCount slots: overwrite the oldest in place.
            var slot = _head;
            var old = _positions[slot];
            _positions[slot] = position;
            if (_ticks is not null)
            {
                _ticks[slot] = ticks;
            }
            _head = slot + 1 == _positions.Length ? 0 : slot + 1;
            _counts.Move(old, position);
            AssertInvariants();
            return false;
        }
        if (_count == _positions.Length)
        {
            Grow();
        }
        var free = Wrap(_head + _count);
        _positions[free] = position;
        if (_ticks is not null)
        {
            _ticks[free] = ticks;
        }
        _count++;
        _counts.Add(position);
        AssertInvariants();
        return true;
    }

    /// <inheritdoc/>
    public override void RemoveOldest()
    {
        Debug.Assert(_count > 0, "RemoveOldest on an empty window.");
        _counts.Remove(_positions[_head]);
        _head = Wrap(_head + 1);
        _count--;
        AssertInvariants();
    }

    /// <inheritdoc/>
    public override float Smallest(int k)
    {
        var position = _counts.Find(k);
        if (position != _lastPosition)
        {
            (_lastPosition, _lastValue) = (position, _mapping.Representative(position));
        }
        return _lastValue;
    }

    /// <inheritdoc/>
    public override void CopyTo(Span<float> destination)
    {
        for (var i = 0; i < _count; i++)
        {
            destination[i] = _mapping.Representative(_positions[Wrap(_head + i)]);
        }
    }

    /// <inheritdoc/>
    public override void Clear()
    {
        _counts.Clear();
        (_head, _count) = (0, 0);
        AssertInvariants();
    }

    /// <summary>A slot index in [0, 2·length) folded into [0, length) without a division.</summary>
    private int Wrap(int slot) => slot >= _positions.Length ? slot - _positions.Length : slot;

    private void Grow()
    {
        var length = (int)Math.Min((long)_positions.Length * 2, MaxCount);
        var positions = new int[length];
        var ticks = _ticks is null ? null : new long[length];
        for (var i = 0; i < _count; i++)
        {
            var slot = Wrap(_head + i);
            positions[i] = _positions[slot];
            if (ticks is not null)
            {
                ticks[i] = _ticks![slot];
            }
        }
        (_positions, _ticks, _head) = (positions, ticks, 0);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_count >= 0 && _count <= MaxCount && _count <= _positions.Length, "The ring holds more entries than it may.");
        Debug.Assert(_positions.Length <= MaxCount, "The ring has grown beyond the window's size.");
        Debug.Assert(_counts.Total == _count, "The bucket counts and the ring disagree on how many entries there are.");
        Debug.Assert(_head >= 0 && _head < _positions.Length, "The ring's head is outside its slots.");
    }
}
