using System.Diagnostics;

namespace Detector.Streams.Thresholds;

/// <summary>
/// Counts per bucket with a Fenwick (binary indexed) tree over them, for "which bucket holds the k-th entry" in
/// O(log B). The tree is padded to a power of two N ≥ B buckets, so that the find is plain binary lifting and so that
/// the update paths of any two buckets meet (at N at the latest): <see cref="Move"/>, a sliding window's steady state,
/// walks the two paths only up to where they join, above which +1 and −1 cancel. A cursor remembers one bucket and
/// the count below it; kept true across every update, it answers the next find by a short walk over the counts when
/// the rank's bucket has moved a few buckets or not at all, and binary lifting takes over beyond
/// <see cref="MaxWalk"/> steps. Memory: 4B + 4N bytes, fixed at construction. Not thread-safe.
/// </summary>
internal sealed class FenwickCounts
{
    /// <summary>Buckets the cursor walks before handing over to binary lifting (sequential reads, cheaper than ~17 dependent ones).</summary>
    private const int MaxWalk = 16;

    /// <summary>Entries per bucket.</summary>
    private readonly int[] _counts;

    /// <summary>The Fenwick tree, 1-based: node j holds the counts of buckets (j − lowbit(j), j], bucket b being node b + 1; length N + 1.</summary>
    private readonly int[] _tree;

    /// <summary>N, the power of two the tree is padded to.</summary>
    private readonly int _size;

    /// <summary>Entries in all buckets.</summary>
    private int _total;

    /// <summary>The cursor's bucket, in [0, B).</summary>
    private int _cursor;

    /// <summary>Entries in the buckets below <see cref="_cursor"/>.</summary>
    private int _below;

    /// <summary>Counts for <paramref name="buckets"/> buckets, all zero.</summary>
    public FenwickCounts(int buckets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(buckets, 1 << 30);
        _counts = new int[buckets];
        _size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)buckets);
        _tree = new int[_size + 1];
    }

    /// <summary>Buckets, B.</summary>
    public int Buckets => _counts.Length;

    /// <summary>Entries in all buckets.</summary>
    public int Total => _total;

    /// <summary>Entries in <paramref name="bucket"/>.</summary>
    public int this[int bucket] => _counts[bucket];

    /// <summary>Adds one entry to <paramref name="bucket"/>.</summary>
    public void Add(int bucket)
    {
        _counts[bucket]++;
        _total++;
        _below += bucket < _cursor ? 1 : 0;
        for (var node = bucket + 1; node <= _size; node += node & -node)
        {
            _tree[node]++;
        }
        AssertInvariants();
    }

    /// <summary>Removes one entry from <paramref name="bucket"/>, which must hold one.</summary>
    public void Remove(int bucket)
    {
        Debug.Assert(_counts[bucket] > 0, "Removing from an empty bucket; the ring and the counts disagree.");
        _counts[bucket]--;
        _total--;
        _below -= bucket < _cursor ? 1 : 0;
        for (var node = bucket + 1; node <= _size; node += node & -node)
        {
            _tree[node]--;
        }
        AssertInvariants();
    }

    /// <summary>Moves one entry from bucket <paramref name="from"/> (which must hold one) to <paramref name="to"/>.</summary>
    public void Move(int from, int to)
    {
        if (from == to)
        {
            return;
        }
        Debug.Assert(_counts[from] > 0, "Moving out of an empty bucket; the ring and the counts disagree.");
        _counts[from]--;
        _counts[to]++;
        _below += (to < _cursor ? 1 : 0) - (from < _cursor ? 1 : 0);
        // Both paths rise to the lowest node covering both buckets; from there up the −1 and the +1 cancel, so each
        // loop stops short of it. Two straight loops predict well, where interleaving the walks mispredicts every step.
        var meet = LowestCommonNode(from, to);
        for (var node = from + 1; node < meet; node += node & -node)
        {
            _tree[node]--;
        }
        for (var node = to + 1; node < meet; node += node & -node)
        {
            _tree[node]++;
        }
        AssertInvariants();
    }

    /// <summary>The bucket holding the k-th entry in bucket order, k from 1 to <see cref="Total"/>; moves the cursor there.</summary>
    public int Find(int k)
    {
        Debug.Assert(k >= 1 && k <= _total, "The rank is outside the entries held.");
        var (bucket, below) = (_cursor, _below);
        var steps = 0;
        if (k > below)
        {
            while (k > below + _counts[bucket])
            {
                below += _counts[bucket++];
                if (++steps > MaxWalk)
                {
                    return Lift(k);
                }
            }
        }
        else
        {
            do
            {
                below -= _counts[--bucket];
                if (++steps > MaxWalk)
                {
                    return Lift(k);
                }
            }
            while (k <= below);
        }
        (_cursor, _below) = (bucket, below);
        AssertInvariants();
        return bucket;
    }

    /// <summary>Entries in the buckets below <paramref name="bucket"/> (O(log B), for tests and invariants).</summary>
    public int CountBelow(int bucket)
    {
        var sum = 0;
        for (var node = bucket; node > 0; node -= node & -node)
        {
            sum += _tree[node];
        }
        return sum;
    }

    /// <summary>Empties every bucket, O(B).</summary>
    public void Clear()
    {
        Array.Clear(_counts);
        Array.Clear(_tree);
        (_total, _cursor, _below) = (0, 0, 0);
    }

    /// <summary>
    /// The lowest tree node whose range covers buckets <paramref name="a"/> and <paramref name="b"/> (a ≠ b). Node v
    /// covers the aligned run of lowbit(v) buckets ending at bucket v − 1, so the nodes covering a bucket x are the runs
    /// [q·2^t, (q + 1)·2^t) that hold it with q even. The lowest common one has the least t at which a and b share
    /// q = a >> t (t ≥ bit length of a ^ b) and q is even: the first zero bit of a from there up.
    /// </summary>
    internal static int LowestCommonNode(int a, int b)
    {
        Debug.Assert(a != b && a >= 0 && b >= 0, "Distinct buckets have a lowest common node.");
        var shared = 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)(a ^ b));
        var q = a >> shared;
        var odd = System.Numerics.BitOperations.TrailingZeroCount(~q);
        var t = shared + odd;
        return ((q >> odd) + 1) << t;
    }

    /// <summary>Binary lifting: the largest prefix of nodes holding fewer than k entries ends just before the k-th's bucket.</summary>
    private int Lift(int k)
    {
        var (node, remaining) = (0, k);
        for (var step = _size; step > 0; step >>= 1)
        {
            var next = node + step;
            if (next <= _size && _tree[next] < remaining)
            {
                node = next;
                remaining -= _tree[next];
            }
        }
        // Nodes 1 … node hold k − remaining < k entries; bucket `node` (node + 1, 1-based) holds the k-th.
        (_cursor, _below) = (node, k - remaining);
        AssertInvariants();
        return node;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_cursor >= 0 && _cursor < _counts.Length, "The cursor is outside the buckets.");
        Debug.Assert(_below >= 0 && _below <= _total, "The cursor counts more entries below it than there are.");
        Debug.Assert(_below == CountBelow(_cursor), "The cursor's count below disagrees with the tree.");
        Debug.Assert(_tree[_size] == _total, "The tree's root does not hold every entry.");
        if (_counts.Length <= 4096)
        {
            Debug.Assert(_counts.Sum() == _total, "The bucket counts do not add up to the total.");
        }
    }
}
