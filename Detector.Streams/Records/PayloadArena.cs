using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Detector.Streams.Records;

/// <summary>
/// Pooled memory for record payloads, so a source reading at a million records a second does not allocate one array
/// per record (measured: half of the Kafka path's allocations, and in-flight payloads outliving young collections).
/// One writer thread copies payloads into blocks with <see cref="Copy"/>; whoever is last done with a record calls
/// <see cref="Release(ReadOnlyMemory{byte})"/> exactly once (<see cref="RecordBatch"/> does it for its rows when it is
/// reset or a row is removed). A payload that is dropped without release only keeps its block from being reused: the
/// garbage collector takes it. Payloads that are not from an arena (plain arrays) are ignored by every release.
/// </summary>
public sealed class PayloadArena
{
    /// <summary>Default block size: a few hundred typical records.</summary>
    public const int DefaultBlockSize = 128 << 10;

    private readonly int _blockSize;
    private readonly int _maxFree;
    private readonly ConcurrentQueue<PayloadBlock> _free = new();
    private int _freeCount;
    private int _allocated;
    private int _inUse;
    private PayloadBlock? _current;

    /// <summary>An arena of <paramref name="blockSize"/>-byte blocks that keeps at most <paramref name="maxFreeBlocks"/> free ones.</summary>
    public PayloadArena(int blockSize = DefaultBlockSize, int maxFreeBlocks = 128)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1024);
        ArgumentOutOfRangeException.ThrowIfNegative(maxFreeBlocks);
        _blockSize = blockSize;
        _maxFree = maxFreeBlocks;
    }

    /// <summary>Blocks allocated so far (a steady stream stops allocating them).</summary>
    public int BlocksAllocated => Volatile.Read(ref _allocated);

    /// <summary>Blocks rented and not yet back: 0 once the arena is sealed and every payload released.</summary>
    public int BlocksInUse => Volatile.Read(ref _inUse);

    /// <summary>
    /// Copies one payload into the arena (writer thread only). Empty payloads take no memory; one larger than a
    /// quarter block gets an array of its own.
    /// </summary>
    public ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return ReadOnlyMemory<byte>.Empty;
        }
        if (bytes.Length > _blockSize / 4)
        {
            return bytes.ToArray();
        }
        if (_current is { } block && block.TryAppend(bytes, out var payload))
        {
            return payload;
        }
        _current?.Retire();
        _current = Rent();
        _current.TryAppend(bytes, out payload);
        return payload;
    }

    /// <summary>Gives up the block being filled (writer thread only): it returns once its payloads are released.</summary>
    public void Seal()
    {
        _current?.Retire();
        _current = null;
    }

    /// <summary>Releases one payload; a no-op for payloads not from an arena.</summary>
    public static void Release(ReadOnlyMemory<byte> payload)
    {
        if (MemoryMarshal.TryGetMemoryManager(payload, out PayloadBlock? block))
        {
            block.Release(1);
        }
    }

    /// <summary>Releases each payload once, one atomic step per run of payloads from the same block.</summary>
    public static void Release(ReadOnlySpan<ReadOnlyMemory<byte>> payloads)
    {
        PayloadBlock? run = null;
        var count = 0;
        foreach (var payload in payloads)
        {
            if (!MemoryMarshal.TryGetMemoryManager(payload, out PayloadBlock? block))
            {
                continue;
            }
            if (ReferenceEquals(block, run))
            {
                count++;
                continue;
            }
            run?.Release(count);
            (run, count) = (block, 1);
        }
        run?.Release(count);
    }

    /// <summary>A payload that stays valid after it is released: a copy when it is pooled, else itself.</summary>
    public static ReadOnlyMemory<byte> Detach(ReadOnlyMemory<byte> payload) =>
        MemoryMarshal.TryGetMemoryManager(payload, out PayloadBlock? _) ? payload.ToArray() : payload;

    private PayloadBlock Rent()
    {
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
        }
        else
        {
            block = new PayloadBlock(this, _blockSize);
            Interlocked.Increment(ref _allocated);
        }
        Interlocked.Increment(ref _inUse);
        block.Open();
        return block;
    }

    /// <summary>Takes back a block whose payloads are all released (any thread); beyond the free limit it is dropped.</summary>
    internal void Return(PayloadBlock block)
    {
        Interlocked.Decrement(ref _inUse);
        if (Interlocked.Increment(ref _freeCount) <= _maxFree)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }
}
