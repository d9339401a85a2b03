using System.Diagnostics;

namespace Detector.Streams.Thresholds;

/// <summary>
/// A multiset of scores kept as a blocked sorted list (square-root decomposition): ascending blocks of at most
/// <see cref="DefaultBlockCapacity"/> scores, each block's count and maximum kept beside it. Insert and remove find the block
/// by a branch-free search over the block maxima and shift within that one block, so they cost O(log n + B)
/// rather than the O(n) memmove of one flat array; <see cref="Replace"/>, the sliding window's steady state, shifts
/// once when both scores fall in the same block. The k-th smallest is found through a cursor that remembers where one
/// rank lies: it is kept true across inserts, removes, splits and merges, so a window whose rank moves by a step or two
/// per score answers in O(1), and any rank costs at most a walk over the block counts from the nearer end, O(n / B).
/// A window of up to <see cref="DefaultBlockCapacity"/> scores is one block that grows by doubling up to
/// <see cref="MaxCount"/>, as a flat array did; beyond that, adjacent blocks are merged whenever together they hold
/// at most three quarters of a block, which bounds the blocks allocated to about 8n / 3B + 1. Freed blocks are kept
/// as spares, so the steady state allocates nothing. Scores are held as order-preserving integer keys (see
/// <see cref="Key"/>) so that every search compares integers without a branch (see <see cref="KeySpans"/>). Not thread-safe.
/// </summary>
internal sealed partial class SortedScores
{
    /// <summary>Scores per full block by default: 2 KiB, so an in-block shift is short and a window of up to 512 is one block.</summary>
    public const int DefaultBlockCapacity = 512;

    /// <summary>Scores per full block.</summary>
    private readonly int _blockCapacity;

    /// <summary>Adjacent blocks holding at most this many together are merged (three quarters of a block: hysteresis against split/merge thrash).</summary>
    private readonly int _mergeAtMost;

    /// <summary>Blocks in ascending order; slots [<see cref="_blockCount"/>, length) hold spare arrays (or null) for reuse.</summary>
    private int[]?[] _blocks;

    /// <summary>Live scores in each block, parallel to <see cref="_blocks"/>.</summary>
    private int[] _counts;

    /// <summary>Each block's largest key (its last live entry), parallel to <see cref="_blocks"/>; stale for an empty sole block.</summary>
    private int[] _maxes;

    /// <summary>Blocks in use (at least one once anything has been inserted).</summary>
    private int _blockCount;

    /// <summary>Live scores in all blocks.</summary>
    private int _count;

    /// <summary>Floats allocated across all blocks, spares included.</summary>
    private int _allocated;

    /// <summary>The cursor's block; meaningful only while <see cref="_cursorValid"/>.</summary>
    private int _cursorBlock;

    /// <summary>The cursor's offset in its block (always below that block's count while valid).</summary>
    private int _cursorOffset;

    /// <summary>The rank (from 0) of the entry at (<see cref="_cursorBlock"/>, <see cref="_cursorOffset"/>).</summary>
    private int _cursorRank;

    /// <summary>Whether the cursor points at a live entry and knows its rank.</summary>
    private bool _cursorValid;

    /// <summary>A multiset of at most <paramref name="maxCount"/> scores; tests pass a small <paramref name="blockCapacity"/> to exercise splits and merges.</summary>
    public SortedScores(int maxCount, int blockCapacity = DefaultBlockCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockCapacity, 4);
        MaxCount = maxCount;
        _blockCapacity = blockCapacity;
        _mergeAtMost = blockCapacity * 3 / 4;
        _blocks = new int[]?[4];
        _counts = new int[4];
        _maxes = new int[4];
    }

    /// <summary>The most entries the multiset will hold.</summary>
    public int MaxCount { get; }

    /// <summary>Entries held.</summary>
    public int Count => _count;

    /// <summary>Floats allocated for entries, spare blocks included (for memory-bound tests).</summary>
    public int Capacity => _allocated;

    /// <summary>Blocks in use (for tests of the structure).</summary>
    internal int BlockCount => _blockCount;

    /// <summary>The k-th smallest entry, k from 0.</summary>
    public float this[int rank]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)rank, (uint)_count, nameof(rank));
            return Select(rank);
        }
    }

    /// <summary>Adds <paramref name="score"/>; the multiset must not be full.</summary>
    public void Insert(float score)
    {
        Debug.Assert(_count < MaxCount, "Insert into a full multiset; the window must evict first.");
        if (_blockCount == 0)
        {
            _blocks[0] ??= Allocate(Math.Min(Math.Min(MaxCount, _blockCapacity), 16));
            _counts[0] = 0;
            _blockCount = 1;
        }
        var key = Key(score);
        InsertInto(FindBlock(key), key);
        AssertInvariants();
    }

    /// <summary>Removes one entry equal to <paramref name="score"/>, which must be present.</summary>
    public void Remove(float score)
    {
        var key = Key(score);
        var block = FindBlock(key);
        RemoveAt(block, IndexOf(block, key));
        AssertInvariants();
    }

    /// <summary>Removes one entry equal to <paramref name="old"/> and adds <paramref name="score"/>.</summary>
    public void Replace(float old, float score)
    {
        var (oldKey, key) = (Key(old), Key(score));
        var from = FindBlock(oldKey);
        var at = IndexOf(from, oldKey);
        var to = FindBlock(key);
        if (from == to)
        {
            ReplaceWithin(from, at, key);
        }
        else
        {
            // A merge or a removed block renumbers the blocks; otherwise `to` still holds the first maximum ≥ score,
            // because removing `old` can only lower maxima that were already below it or leave them alone.
            if (RemoveAt(from, at))
            {
                to = FindBlock(key);
            }
            InsertInto(to, key);
        }
        AssertInvariants();
    }

    /// <summary>Empties the multiset (keeps every block for reuse).</summary>
    public void Clear()
    {
        _count = 0;
        _blockCount = 0;
        _cursorValid = false;
    }

    /// <summary>The k-th smallest entry (k from 0, below <see cref="Count"/>), moving the cursor there.</summary>
    private float Select(int rank)
    {
        int block, offset;
        var delta = rank - _cursorRank;
        if (_cursorValid && Math.Abs(delta) <= Math.Min(rank, _count - 1 - rank))
        {
            // Walk from the cursor: a step or two in the steady state.
            block = _cursorBlock;
            offset = _cursorOffset + delta;
            while (offset < 0)
            {
                offset += _counts[--block];
            }
            while (offset >= _counts[block])
            {
                offset -= _counts[block++];
            }
        }
        else if (rank < _count - rank)
        {
            (block, offset) = (0, rank);
            while (offset >= _counts[block])
            {
                offset -= _counts[block++];
            }
        }
        else
        {
            block = _blockCount - 1;
            var before = _count - _counts[block];
            while (rank < before)
            {
                before -= _counts[--block];
            }
            offset = rank - before;
        }
        (_cursorBlock, _cursorOffset, _cursorRank, _cursorValid) = (block, offset, rank, true);
        return Score(_blocks[block]![offset]);
    }

    /// <summary>
    /// An integer key with the order of the scores: a float's bits order as a signed integer when it is not negative,
    /// and in reverse when it is, so the magnitude bits of negatives are flipped. −0 is folded into +0 first (they
    /// compare equal as floats and must be one key). NaN has no place in the order and is never stored.
    /// </summary>
    internal static int Key(float score)
    {
        Debug.Assert(!float.IsNaN(score), "NaN cannot be ranked.");
        var bits = BitConverter.SingleToInt32Bits(score + 0f);
        return bits ^ ((bits >> 31) & int.MaxValue);
    }

    /// <summary>The score of a <see cref="Key"/> (the mapping is its own inverse: the sign bit is kept).</summary>
    internal static float Score(int key) => BitConverter.Int32BitsToSingle(key ^ ((key >> 31) & int.MaxValue));

    /// <summary>The first block whose maximum is ≥ <paramref name="key"/>, or the last block when none is.</summary>
    private int FindBlock(int key)
    {
        var count = _blockCount;
        return count <= 1 ? 0 : Math.Min(KeySpans.LowerBound(ref _maxes[0], count, key), count - 1);
    }

    /// <summary>The offset in <paramref name="block"/> of an entry equal to <paramref name="key"/>, which must be there.</summary>
    private int IndexOf(int block, int key)
    {
        var count = _blockCount == 0 ? 0 : _counts[block];
        var items = _blocks[block];
        var at = count == 0 ? 0 : KeySpans.LowerBound(ref items![0], count, key);
        if (at == count || items![at] != key)
        {
            throw new InvalidOperationException($"Score {Score(key)} is not in the window; the ring and the sorted view disagree.");
        }
        return at;
    }

    private int[] Allocate(int length)
    {
        _allocated += length;
        return new int[length];
    }
}
