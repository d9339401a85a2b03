using System.Diagnostics;

namespace Detector.Streams.Thresholds;

/// <summary>Block maintenance: in-block shifts, splits, merges, and keeping the rank cursor true through them.</summary>
internal sealed partial class SortedScores
{
    /// <summary>Inserts into <paramref name="block"/>, the first block whose maximum is ≥ the key (or the last), splitting it when full.</summary>
    private void InsertInto(int block, int key)
    {
        var items = _blocks[block]!;
        if (_counts[block] == items.Length)
        {
            var cap = Math.Min(MaxCount, _blockCapacity);
            if (items.Length < cap)
            {
                // Only a sole block is ever smaller than a full one: it grows by doubling, as a flat array would.
                Debug.Assert(_blockCount == 1, "A block below full capacity sits beside others.");
                var grown = Allocate(Math.Min(items.Length * 2, cap));
                _allocated -= items.Length;
                Array.Copy(items, grown, _counts[block]);
                _blocks[block] = items = grown;
            }
            else
            {
                block = Split(block, key);
                items = _blocks[block]!;
            }
        }
        var count = _counts[block];
        var at = KeySpans.LowerBound(ref items[0], count, key);
        KeySpans.ShiftRight(items, at, count);
        items[at] = key;
        _counts[block] = count + 1;
        _maxes[block] = items[count];
        _count++;
        // Ranks are positions: only a cursor in a later block sees one more entry before it.
        if (_cursorValid && _cursorBlock > block)
        {
            _cursorRank++;
        }
    }

    /// <summary>Removes the entry at (<paramref name="block"/>, <paramref name="at"/>); true when blocks were renumbered.</summary>
    private bool RemoveAt(int block, int at)
    {
        var items = _blocks[block]!;
        var count = _counts[block] - 1;
        KeySpans.ShiftLeft(items, at, count + 1);
        _counts[block] = count;
        _count--;
        if (count > 0)
        {
            _maxes[block] = items[count - 1];
        }
        if (_cursorValid)
        {
            if (_cursorBlock > block)
            {
                _cursorRank--;
            }
            else if (_cursorBlock == block && _cursorOffset >= count)
            {
                _cursorValid = false;
            }
        }
        if (_blockCount == 1)
        {
            return false;
        }
        if (count == 0)
        {
            DeleteBlock(block);
            return true;
        }
        var left = block > 0 ? _counts[block - 1] : int.MaxValue;
        var right = block + 1 < _blockCount ? _counts[block + 1] : int.MaxValue;
        if (count + Math.Min(left, right) > _mergeAtMost)
        {
            return false;
        }
        Merge(left <= right ? block - 1 : block);
        return true;
    }

    /// <summary>Replaces the entry at (<paramref name="block"/>, <paramref name="at"/>) with a key that belongs in the same block.</summary>
    private void ReplaceWithin(int block, int at, int key)
    {
        var items = _blocks[block]!;
        var count = _counts[block];
        var old = items[at];
        if (key > old)
        {
            // Everything in (at, to) is in [old, key): slide it left one place and put key at the end of the run.
            var to = KeySpans.LowerBound(ref items[0], count, key);
            KeySpans.ShiftLeft(items, at, to);
            items[to - 1] = key;
        }
        else if (key < old)
        {
            // Everything in [to, at) is in [key, old]: slide it right one place and put key at its front.
            var to = KeySpans.LowerBound(ref items[0], count, key);
            KeySpans.ShiftRight(items, to, at);
            items[to] = key;
        }
        _maxes[block] = items[count - 1];
    }

    /// <summary>Splits a full block in two halves, merging either half into a neighbour it fits with; returns the block for the key.</summary>
    private int Split(int block, int key)
    {
        EnsureTables(_blockCount + 1);
        var spare = _blocks[_blockCount] ?? Allocate(_blockCapacity);
        ShiftTables(block + 1, _blockCount, +1);
        _blockCount++;
        var items = _blocks[block]!;
        var half = _counts[block] / 2;
        var upper = _counts[block] - half;
        Array.Copy(items, half, spare, 0, upper);
        (_blocks[block + 1], _counts[block + 1], _maxes[block + 1]) = (spare, upper, items[half + upper - 1]);
        (_counts[block], _maxes[block]) = (half, items[half - 1]);
        if (_cursorValid)
        {
            if (_cursorBlock > block)
            {
                _cursorBlock++;
            }
            else if (_cursorBlock == block && _cursorOffset >= half)
            {
                (_cursorBlock, _cursorOffset) = (block + 1, _cursorOffset - half);
            }
        }
        // Keep every adjacent pair above _mergeAtMost: a half may now sit beside a small neighbour.
        if (block > 0 && _counts[block - 1] + half <= _mergeAtMost)
        {
            Merge(block - 1);
            block--;
        }
        if (block + 2 < _blockCount && upper + _counts[block + 2] <= _mergeAtMost)
        {
            Merge(block + 1);
        }
        // The first block whose maximum is ≥ key: the lower part unless key lies above its maximum.
        return key <= _maxes[block] ? block : block + 1;
    }

    /// <summary>Appends block <paramref name="block"/> + 1 to <paramref name="block"/> and drops it.</summary>
    private void Merge(int block)
    {
        var next = block + 1;
        var count = _counts[block];
        Array.Copy(_blocks[next]!, 0, _blocks[block]!, count, _counts[next]);
        _counts[block] = count + _counts[next];
        _maxes[block] = _maxes[next];
        if (_cursorValid && _cursorBlock == next)
        {
            (_cursorBlock, _cursorOffset) = (block, _cursorOffset + count);
        }
        _counts[next] = 0;
        DeleteBlock(next);
    }

    /// <summary>Removes the empty block at <paramref name="block"/>, keeping its array as a spare past the live blocks.</summary>
    private void DeleteBlock(int block)
    {
        Debug.Assert(_counts[block] == 0, "Deleting a block that still holds scores.");
        var spare = _blocks[block];
        ShiftTables(block + 1, _blockCount, -1);
        _blockCount--;
        _blocks[_blockCount] = spare;
        if (_cursorValid)
        {
            if (_cursorBlock > block)
            {
                _cursorBlock--;
            }
            else if (_cursorBlock == block)
            {
                _cursorValid = false;
            }
        }
    }

    /// <summary>Moves table entries [<paramref name="from"/>, <paramref name="to"/>) by <paramref name="by"/> places.</summary>
    private void ShiftTables(int from, int to, int by)
    {
        Array.Copy(_blocks, from, _blocks, from + by, to - from);
        Array.Copy(_counts, from, _counts, from + by, to - from);
        Array.Copy(_maxes, from, _maxes, from + by, to - from);
    }

    private void EnsureTables(int blocks)
    {
        if (blocks < _blocks.Length)
        {
            return;
        }
        var length = _blocks.Length * 2;
        Array.Resize(ref _blocks, length);
        Array.Resize(ref _counts, length);
        Array.Resize(ref _maxes, length);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_count >= 0 && _count <= MaxCount, "The multiset holds more entries than its bound.");
        Debug.Assert(_blockCount >= 1, "A multiset that has held a score has no block.");
        // Every entry is checked for order in small multisets; in large ones each block's ends (O(blocks) per call).
        var everyEntry = _count <= 4096;
        var total = 0;
        var previous = int.MinValue;
        for (var b = 0; b < _blockCount; b++)
        {
            var items = _blocks[b]!;
            var count = _counts[b];
            Debug.Assert(count <= items.Length, "A block holds more than its array.");
            Debug.Assert(_blockCount == 1 || count > 0, "An empty block sits beside others.");
            Debug.Assert(b == 0 || _counts[b - 1] + count > _mergeAtMost, "Two adjacent blocks small enough to merge were left apart.");
            Debug.Assert(count == 0 || _maxes[b] == items[count - 1], "A block's recorded maximum is not its last entry.");
            for (var i = 0; i < count; i += everyEntry || i == 0 ? 1 : Math.Max(1, count - 1 - i))
            {
                Debug.Assert(previous <= items[i], "The sorted view is out of order.");
                previous = items[i];
            }
            if (_cursorValid && b == _cursorBlock)
            {
                Debug.Assert(_cursorOffset < count && _cursorRank == total + _cursorOffset, "The rank cursor has lost its rank.");
            }
            total += count;
        }
        Debug.Assert(total == _count, "The block counts do not add up to the count.");
        Debug.Assert(_blockCount <= 8L * _count / (3 * _blockCapacity) + 2, "More blocks are in use than the merge rule allows.");
        Debug.Assert(!_cursorValid || _cursorBlock < _blockCount, "The rank cursor points past the live blocks.");
    }
}
