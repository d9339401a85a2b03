using Detector.Streams.DeadLetters;
using Detector.Streams.Records;
using Xunit;

namespace Detector.Tests.DeadLetters;

/// <summary>The in-memory sink keeps letters in order, owns copies of their payloads, and counts them by reason.</summary>
public sealed class InMemoryDeadLetterSinkTests
{
    [Fact]
    public async Task WriteAsync_SeveralLetters_KeptInOrderAndCountedByReason()
    {
        var sink = new InMemoryDeadLetterSink();
        DeadLetterReason[] reasons = [DeadLetterReason.Malformed, DeadLetterReason.NonFinite, DeadLetterReason.Malformed];
        for (var i = 0; i < reasons.Length; i++)
        {
            await sink.WriteAsync(new DeadLetter(new byte[] { (byte)i }, new SourcePosition(0, i), reasons[i], $"d{i}"), CancellationToken.None);
        }

        Assert.Equal([0L, 1L, 2L], sink.Letters.Select(l => l.Position.Offset));
        Assert.Equal(3, sink.Count);
        Assert.Equal(2, sink.CountBy(DeadLetterReason.Malformed));
        Assert.Equal(1, sink.CountBy(DeadLetterReason.NonFinite));
        Assert.Equal(0, sink.CountBy(DeadLetterReason.WrongArity));
    }

    [Fact]
    public async Task WriteAsync_SourceReusesBuffer_KeptPayloadUnchanged()
    {
        var sink = new InMemoryDeadLetterSink();
        var buffer = new byte[] { 1, 2, 3 };
        await sink.WriteAsync(new DeadLetter(buffer, default, DeadLetterReason.Oversized, "big"), CancellationToken.None);
        buffer[0] = 99;
        Assert.Equal([1, 2, 3], sink.Letters[0].Payload.ToArray());
    }

    [Fact]
    public async Task WriteAsync_ConcurrentWriters_NoneLost()
    {
        var sink = new InMemoryDeadLetterSink();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                await sink.WriteAsync(new DeadLetter(new byte[] { 1 }, new SourcePosition(w, i), DeadLetterReason.NonNumeric, ""), CancellationToken.None);
            }
        })));
        Assert.Equal(2000, sink.CountBy(DeadLetterReason.NonNumeric));
    }

    [Fact]
    public async Task WriteAsync_Cancelled_ThrowsAndKeepsNothing()
    {
        var sink = new InMemoryDeadLetterSink();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            sink.WriteAsync(new DeadLetter(new byte[] { 1 }, default, DeadLetterReason.Malformed, ""), new CancellationToken(canceled: true)).AsTask());
        Assert.Equal(0, sink.Count);
    }
}
