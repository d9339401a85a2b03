using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Pipeline;
using Detector.Streams.Records;
using Xunit;

namespace Detector.Tests.Pipeline;

/// <summary>The decode stage: parallel where the decoder allows it, in source order always, nothing held back.</summary>
public sealed class DecodeFlowTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Flow_UnevenDecodeTimes_ForwardsEveryChunkInSourceOrderWithItsRows()
    {
        var decoder = new NumberDecoder(threadSafe: true) { Delay = k => k % 7 == 0 ? 3 : 0 };
        var forwarded = new List<(long Offset, float Feature, DecodeError? Error)>();

        await PumpAsync(Chunks(Payloads(2_000, bad: k => k % 97 == 0), chunkSize: 50), decoder, workers: 4, chunk =>
        {
            for (var i = 0; i < chunk.Records.Count; i++)
            {
                forwarded.Add((chunk.Records[i].Position.Offset, chunk.Error(i) is null ? chunk.Features(i)[0] : float.NaN, chunk.Error(i)));
            }
            chunk.Release();
            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 2_000).Select(k => (long)k), forwarded.Select(f => f.Offset));
        foreach (var (offset, feature, error) in forwarded)
        {
            if (offset % 97 == 0)
            {
                Assert.Equal(DeadLetterReason.NonNumeric, error?.Reason);
            }
            else
            {
                Assert.Null(error);
                Assert.Equal(offset, feature);
            }
        }
    }

    [Fact]
    public async Task Flow_ThreadSafeDecoder_DecodesChunksAtTheSameTime()
    {
        // Each decode waits until two are under way at once: only a parallel stage gets past the first chunk.
        using var both = new CountdownEvent(2);
        var decoder = new NumberDecoder(threadSafe: true) { OnChunkStart = () => { both.Signal(); return both.Wait(Patience); } };

        var chunks = 0;
        await PumpAsync(Chunks(Payloads(2, bad: _ => false), chunkSize: 1), decoder, workers: 2, chunk =>
        {
            chunks++;
            chunk.Release();
            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal(2, chunks);
        Assert.True(decoder.SawBothAtOnce, "the two chunks were decoded one after the other");
    }

    [Fact]
    public async Task Flow_DecoderNotThreadSafe_OneRecordAtATimeInSourceOrder()
    {
        var decoder = new NumberDecoder(threadSafe: false) { Delay = k => k % 5 == 0 ? 1 : 0 };

        await PumpAsync(Chunks(Payloads(600, bad: _ => false), chunkSize: 20), decoder, workers: 8, chunk =>
        {
            chunk.Release();
            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal(1, decoder.MaxConcurrent);
        Assert.Equal(Enumerable.Range(0, 600).Select(k => (long)k), decoder.Seen);
    }

    [Fact]
    public async Task Flow_SourceWaits_ChunkAlreadyReadIsForwardedMeanwhile()
    {
        var forwarded = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();

        var pump = PumpAsync(OneChunkThenWait(stop.Token), new NumberDecoder(threadSafe: true), workers: 4, chunk =>
        {
            forwarded.TrySetResult(chunk.Records[0].Position.Offset);
            chunk.Release();
            return ValueTask.CompletedTask;
        }, stop.Token);

        Assert.Equal(0, await forwarded.Task.WaitAsync(Patience));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pump);
    }

    [Fact]
    public async Task Flow_ForwardFails_StopsReadingAndSurfacesTheFailure()
    {
        var read = 0;
        async IAsyncEnumerable<IReadOnlyList<RawRecord>> Endless([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (var k = 0; ; k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                read++;
                yield return [Record(k, Encoding.ASCII.GetBytes(k.ToString(System.Globalization.CultureInfo.InvariantCulture)))];
                await Task.Yield();
            }
        }

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => PumpAsync(Endless(), new NumberDecoder(threadSafe: true), workers: 2,
            chunk => chunk.Records[0].Position.Offset == 10 ? throw new InvalidOperationException("sink gone") : ValueTask.CompletedTask,
            CancellationToken.None).WaitAsync(Patience));

        Assert.Equal("sink gone", e.Message);
        Assert.InRange(read, 11, 11 + 2 + 2); // the chunk that failed, plus at most the workers' and the stage boundaries'

    }

    [Fact]
    public async Task Flow_SourceFails_SurfacesTheSourceFailure()
    {
        async IAsyncEnumerable<IReadOnlyList<RawRecord>> Failing()
        {
            yield return [Record(0, "1"u8.ToArray())];
            await Task.Yield();
            throw new IOException("broker gone");
        }

        var e = await Assert.ThrowsAsync<IOException>(() => PumpAsync(Failing(), new NumberDecoder(threadSafe: true), workers: 2,
            chunk => ValueTask.CompletedTask, CancellationToken.None).WaitAsync(Patience));

        Assert.Equal("broker gone", e.Message);
    }

    /// <summary>
    /// Runs the chunks through the decode flow and then <paramref name="forward"/>, one decoded chunk at a time, in a
    /// materializer whose stage boundaries hold one element; the token aborts the stream.
    /// </summary>
    private Task<Done> PumpAsync(IAsyncEnumerable<IReadOnlyList<RawRecord>> chunks, IRecordDecoder decoder, int workers,
        Func<DecodedChunk, ValueTask> forward, CancellationToken cancellationToken)
    {
        var materializer = Sys.Materializer(ActorMaterializerSettings.Create(Sys).WithInputBuffer(1, 1));
        var (killSwitch, done) = Source.From(() => chunks)
            .Via(DecodeFlow.Create(decoder, workers))
            .ViaMaterialized(KillSwitches.Single<DecodedChunk>(), Keep.Right)
            .SelectAsync(1, async chunk =>
            {
                await forward(chunk);
                return NotUsed.Instance;
            })
            .ToMaterialized(Sink.Ignore<NotUsed>(), Keep.Both)
            .Run(materializer);
        cancellationToken.Register(() => killSwitch.Abort(new OperationCanceledException(cancellationToken)));
        return done.Unwrapped();
    }

    private static List<byte[]> Payloads(int count, Func<int, bool> bad) =>
        Enumerable.Range(0, count).Select(k => Encoding.ASCII.GetBytes(bad(k) ? "x" + k : k.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();

    private static async IAsyncEnumerable<IReadOnlyList<RawRecord>> Chunks(List<byte[]> payloads, int chunkSize)
    {
        for (var i = 0; i < payloads.Count; i += chunkSize)
        {
            yield return Enumerable.Range(i, Math.Min(chunkSize, payloads.Count - i)).Select(k => Record(k, payloads[k])).ToArray();
            await Task.Yield();
        }
    }

    private static async IAsyncEnumerable<IReadOnlyList<RawRecord>> OneChunkThenWait([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return [Record(0, "7"u8.ToArray())];
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    private static RawRecord Record(long offset, byte[] payload) => new(payload, new SourcePosition(0, offset), DateTimeOffset.UtcNow);

    /// <summary>Decodes an ASCII integer k into the one feature k; anything else is NonNumeric. Records who called it, and when.</summary>
    private sealed class NumberDecoder(bool threadSafe) : IRecordDecoder
    {
        private int _concurrent;
        private int _maxConcurrent;
        private readonly ConcurrentQueue<long> _seen = new();

        public int FeatureCount => 1;

        public bool IsThreadSafe => threadSafe;

        public Func<long, int> Delay { get; init; } = _ => 0;

        /// <summary>Called on a chunk's first record; returns whether another chunk's decode was under way meanwhile.</summary>
        public Func<bool>? OnChunkStart { get; init; }

        public bool SawBothAtOnce { get; private set; }

        public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);

        public IEnumerable<long> Seen => _seen;

        public bool TryDecode(ReadOnlySpan<byte> payload, SourcePosition position, Span<float> features, out RecordInfo info, out DecodeError error)
        {
            var now = Interlocked.Increment(ref _concurrent);
            int max;
            while (now > (max = Volatile.Read(ref _maxConcurrent)) && Interlocked.CompareExchange(ref _maxConcurrent, now, max) != max)
            {
            }
            try
            {
                _seen.Enqueue(position.Offset);
                if (OnChunkStart is { } start && start())
                {
                    SawBothAtOnce = true;
                }
                if (Delay(position.Offset) is > 0 and var ms)
                {
                    Thread.Sleep(ms);
                }
                info = new RecordInfo($"r{position.Offset}", "e", DateTimeOffset.UnixEpoch, null);
                if (long.TryParse(payload, out var k))
                {
                    features[0] = k;
                    error = default;
                    return true;
                }
                error = new DecodeError(DeadLetterReason.NonNumeric, "not a number");
                return false;
            }
            finally
            {
                Interlocked.Decrement(ref _concurrent);
            }
        }
    }
}
