using Detector.Models.Numerics;
using Detector.Streams.Records;
using Xunit;

namespace Detector.Tests.Records;

/// <summary>Pooled payload memory: bytes stay intact until released, blocks come back only when all their payloads are released.</summary>
public sealed class PayloadArenaTests
{
    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)(seed * 31 + i);
        }
        return bytes;
    }

    [Fact]
    public void Copy_ReleasedInAnyOrder_KeepsUnreleasedBytesAndReusesBlocks()
    {
        var arena = new PayloadArena(blockSize: 4096, maxFreeBlocks: 64);
        var rng = new Rng(7);
        var live = new List<(ReadOnlyMemory<byte> Payload, byte[] Expected)>();
        for (var i = 0; i < 20_000; i++)
        {
            var expected = Bytes(1 + rng.NextInt(300), i);
            live.Add((arena.Copy(expected), expected));
            // Keep ~100 payloads alive, releasing a random one each step: blocks are refilled while others are read.
            if (live.Count > 100)
            {
                var k = rng.NextInt(live.Count);
                Assert.Equal(live[k].Expected, live[k].Payload.ToArray());
                PayloadArena.Release(live[k].Payload);
                live.RemoveAt(k);
            }
        }
        foreach (var (payload, expected) in live)
        {
            Assert.Equal(expected, payload.ToArray());
        }
        // ~3 MB went through 4 KiB blocks: without reuse that is ~750 blocks.
        Assert.InRange(arena.BlocksAllocated, 1, 120);
        foreach (var (payload, _) in live)
        {
            PayloadArena.Release(payload);
        }
        arena.Seal();
        Assert.Equal(0, arena.BlocksInUse);
    }

    [Fact]
    public void Release_Twice_Throws()
    {
        var arena = new PayloadArena(blockSize: 4096);
        var payload = arena.Copy(Bytes(10, 1));
        arena.Seal();
        PayloadArena.Release(payload);
        Assert.Throws<InvalidOperationException>(() => PayloadArena.Release(payload));
    }

    [Fact]
    public void Block_StaysOut_UntilTheWriterMovesOnAndEveryPayloadIsReleased()
    {
        var arena = new PayloadArena(blockSize: 4096);
        var first = arena.Copy(Bytes(100, 1));
        var second = arena.Copy(Bytes(100, 2));
        PayloadArena.Release([first, second]);
        // The writer still fills the block: the next payload goes into it, after the released ones.
        var third = arena.Copy(Bytes(100, 3));
        Assert.Equal(Bytes(100, 3), third.ToArray());
        arena.Seal();
        var fourth = arena.Copy(Bytes(100, 4)); // a new block: the first one still has `third` out
        Assert.Equal(2, arena.BlocksAllocated);
        PayloadArena.Release(third);
        arena.Seal();
        PayloadArena.Release(fourth);
        arena.Copy(Bytes(100, 5));
        Assert.Equal(2, arena.BlocksAllocated); // both came back; one of them is reused
    }

    [Fact]
    public void Copy_EmptyAndLarge_TakeNoBlock_AndReleaseIsANoOp()
    {
        var arena = new PayloadArena(blockSize: 4096);
        var empty = arena.Copy([]);
        var large = arena.Copy(Bytes(2000, 9));
        Assert.True(empty.IsEmpty);
        Assert.Equal(Bytes(2000, 9), large.ToArray());
        Assert.Equal(0, arena.BlocksAllocated);
        PayloadArena.Release(large);
        PayloadArena.Release(large); // a plain array: nothing to count
        PayloadArena.Release(new byte[] { 1, 2, 3 });
    }

    [Fact]
    public void Detach_CopiesPooledPayloads_SoTheyOutliveTheirRelease()
    {
        var arena = new PayloadArena(blockSize: 4096, maxFreeBlocks: 4);
        var payload = arena.Copy(Bytes(50, 1));
        var detached = PayloadArena.Detach(payload);
        arena.Seal();
        PayloadArena.Release(payload);
        arena.Copy(Bytes(50, 2)); // reuses the block, overwriting the released bytes
        Assert.Equal(Bytes(50, 1), detached.ToArray());
        var plain = new ReadOnlyMemory<byte>(Bytes(5, 3));
        Assert.True(PayloadArena.Detach(plain).Equals(plain)); // not pooled: the same memory
    }

    [Fact]
    public void RecordBatch_ResetAndRemoveAt_ReleaseTheirRowsPayloads()
    {
        var arena = new PayloadArena(blockSize: 4096);
        var batch = new RecordBatch(capacity: 8, featureCount: 1);
        for (var i = 0; i < 8; i++)
        {
            batch.NextRow()[0] = i;
            batch.Commit(default, new SourcePosition(0, i), arena.Copy(Bytes(100, i)), 0);
        }
        arena.Seal();
        batch.RemoveAt(3);
        Assert.Equal(Bytes(100, 4), batch.Payloads[3].ToArray());
        batch.Reset();
        // Every payload is released exactly once: the block is free again (a new copy reuses it) and nothing underflowed.
        arena.Copy(Bytes(100, 0));
        Assert.Equal(1, arena.BlocksAllocated);
    }
}
