using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Detector.Streams.Records;

/// <summary>
/// One pooled buffer of a <see cref="PayloadArena"/> that many records' payloads are copied into, back to back. Each
/// payload handed out holds one reference; the block goes back to its arena when the arena has moved on to another
/// block and every payload in it has been released (<see cref="PayloadArena.Release(ReadOnlyMemory{byte})"/>). The
/// payloads are <see cref="ReadOnlyMemory{T}"/> over this manager, so a record carries its block without another field.
/// </summary>
public sealed class PayloadBlock : MemoryManager<byte>
{
    /// <summary>
    /// The writer's hold on a block it is filling: the reference count starts this high, so releases of payloads
    /// already handed out can never bring it to zero while more may be appended; retiring the block takes it off again.
    /// </summary>
    private const int WriterHold = 1 << 30;

    private readonly byte[] _buffer;
    private readonly PayloadArena _arena;
    private int _references;

    /// <summary>Bytes appended since the block was rented (writer only).</summary>
    private int _used;

    /// <summary>Payloads handed out since the block was rented (writer only).</summary>
    private int _handedOut;

    internal PayloadBlock(PayloadArena arena, int size)
    {
        _arena = arena;
        // Pinned (never moved, so Pin is free) and not zeroed (every byte read was written first).
        _buffer = GC.AllocateUninitializedArray<byte>(size, pinned: true);
    }

    /// <summary>The block's size in bytes.</summary>
    public int Size => _buffer.Length;

    /// <summary>Readies a free block for the writer.</summary>
    internal void Open()
    {
        _used = 0;
        _handedOut = 0;
        Volatile.Write(ref _references, WriterHold);
    }

    /// <summary>Copies bytes into the block (writer only); false when they do not fit in what is left.</summary>
    internal bool TryAppend(ReadOnlySpan<byte> bytes, out ReadOnlyMemory<byte> payload)
    {
        if (bytes.Length > _buffer.Length - _used)
        {
            payload = default;
            return false;
        }
        bytes.CopyTo(_buffer.AsSpan(_used));
        payload = CreateMemory(_used, bytes.Length);
        _used += bytes.Length;
        _handedOut++;
        return true;
    }

    /// <summary>The writer is done with the block: it goes back to the arena once its payloads are released.</summary>
    internal void Retire() => Release(WriterHold - _handedOut);

    /// <summary>Releases <paramref name="count"/> payloads of this block.</summary>
    internal void Release(int count)
    {
        var left = Interlocked.Add(ref _references, -count);
        if (left == 0)
        {
            _arena.Return(this);
        }
        else if (left < 0)
        {
            // A payload released twice: its bytes may already belong to another record. Never carry on silently.
            throw new InvalidOperationException("a pooled payload was released more often than it was handed out");
        }
    }

    /// <inheritdoc />
    public override Span<byte> GetSpan() => _buffer;

    /// <inheritdoc />
    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _buffer.Length);
        // The buffer lives on the pinned-object heap: its address never changes.
        return new MemoryHandle(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buffer), elementIndex)));
    }

    /// <inheritdoc />
    public override void Unpin()
    {
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
    }
}
