using System.Text;
using System.Text.Json;
using Detector.Streams.DeadLetters;
using Detector.Streams.Records;
using Xunit;

namespace Detector.Tests.DeadLetters;

/// <summary>The JSON-lines sink writes one whole, flushed, self-describing line per letter, from any number of writers.</summary>
public sealed class JsonLinesDeadLetterSinkTests
{
    private static DeadLetter Letter(byte[] payload, long offset = 17, DeadLetterReason reason = DeadLetterReason.NonFinite) =>
        new(payload, new SourcePosition(2, offset), reason, "amount: not finite: \"NaN\"");

    private static string TempPath() => Path.Combine(Path.GetTempPath(), $"detector-dlq-{Guid.NewGuid():N}.jsonl");

    [Fact]
    public async Task WriteAsync_ToFile_LineHoldsReasonDetailPositionAndPayload()
    {
        var path = TempPath();
        try
        {
            var payload = Encoding.UTF8.GetBytes("{\"amount\":\"NaN\",\"entity\":\"café <1+1>\"}");
            await using (var sink = new JsonLinesDeadLetterSink(path))
            {
                await sink.WriteAsync(Letter(payload), CancellationToken.None);
            }

            var lines = await File.ReadAllLinesAsync(path);
            var line = Assert.Single(lines);
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            Assert.Equal("NonFinite", root.GetProperty("reason").GetString());
            Assert.Equal("amount: not finite: \"NaN\"", root.GetProperty("detail").GetString());
            Assert.Equal(2, root.GetProperty("partition").GetInt32());
            Assert.Equal(17, root.GetProperty("offset").GetInt64());
            Assert.Equal(payload, root.GetProperty("payload_base64").GetBytesFromBase64());
            Assert.Equal(Encoding.UTF8.GetString(payload), root.GetProperty("payload").GetString());
            Assert.Contains("café <1+1>", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task WriteAsync_InvalidUtf8Payload_PayloadNullAndBase64Exact()
    {
        var stream = new MemoryStream();
        byte[] payload = [0x7B, 0xFF, 0xC3, 0x28, 0x00, 0x0A];
        await using (var sink = new JsonLinesDeadLetterSink(stream, leaveOpen: true))
        {
            await sink.WriteAsync(Letter(payload, reason: DeadLetterReason.Malformed), CancellationToken.None);
        }

        var text = Encoding.UTF8.GetString(stream.ToArray());
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(text);
        Assert.Equal("Malformed", json.RootElement.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("payload").ValueKind);
        Assert.Equal(payload, json.RootElement.GetProperty("payload_base64").GetBytesFromBase64());
    }

    [Fact]
    public async Task WriteAsync_ExistingFile_Appends()
    {
        var path = TempPath();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                await using var sink = new JsonLinesDeadLetterSink(path);
                await sink.WriteAsync(Letter("x"u8.ToArray(), offset: i), CancellationToken.None);
            }
            var offsets = (await File.ReadAllLinesAsync(path)).Select(l =>
            {
                using var json = JsonDocument.Parse(l);
                return json.RootElement.GetProperty("offset").GetInt64();
            });
            Assert.Equal([0L, 1L], offsets);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task WriteAsync_Completed_LineFlushedThroughBuffering()
    {
        var inner = new MemoryStream();
        var buffered = new BufferedStream(inner, 1 << 16);
        await using var sink = new JsonLinesDeadLetterSink(buffered);

        await sink.WriteAsync(Letter("payload"u8.ToArray()), CancellationToken.None);

        // Only a flush moves bytes from the 64 KiB buffer to the inner stream.
        var line = Encoding.UTF8.GetString(inner.ToArray());
        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        Assert.Contains("\"offset\":17", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_ConcurrentWriters_EveryLineWholeAndNoneLost()
    {
        const int Writers = 8;
        const int PerWriter = 250;
        var stream = new MemoryStream();
        await using (var sink = new JsonLinesDeadLetterSink(stream, leaveOpen: true))
        {
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < PerWriter; i++)
                {
                    var offset = (w * PerWriter) + i;
                    var payload = Encoding.UTF8.GetBytes($"{{\"w\":{w},\"pad\":\"{new string('p', offset % 300)}\"}}");
                    await sink.WriteAsync(Letter(payload, offset), CancellationToken.None);
                }
            }));
            await Task.WhenAll(writers);
        }

        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n');
        Assert.Equal("", lines[^1]);
        var offsets = lines[..^1].Select(l =>
        {
            using var json = JsonDocument.Parse(l);
            var offset = json.RootElement.GetProperty("offset").GetInt64();
            var payload = json.RootElement.GetProperty("payload_base64").GetBytesFromBase64();
            Assert.Equal(json.RootElement.GetProperty("payload").GetString(), Encoding.UTF8.GetString(payload));
            return offset;
        }).Order();
        Assert.Equal(Enumerable.Range(0, Writers * PerWriter).Select(i => (long)i), offsets);
    }

    [Fact]
    public async Task WriteAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var sink = new JsonLinesDeadLetterSink(new MemoryStream());
        await sink.DisposeAsync();
        await sink.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => sink.WriteAsync(Letter([1]), CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task WriteAsync_CancelledBeforeItsTurn_ThrowsAndWritesNothing()
    {
        var stream = new MemoryStream();
        await using var sink = new JsonLinesDeadLetterSink(stream, leaveOpen: true);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sink.WriteAsync(Letter([1]), cancelled.Token).AsTask());
        Assert.Equal(0, stream.Length);
    }

    [Fact]
    public void Constructor_ReadOnlyStream_Throws() =>
        Assert.Throws<ArgumentException>(() => new JsonLinesDeadLetterSink(new MemoryStream([], writable: false)));
}
