using System.Buffers;
using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Detector.Streams.DeadLetters;

/// <summary>
/// Appends one JSON object per line for each dead letter to a file or stream:
/// <c>{"reason":"NonFinite","detail":"…","partition":0,"offset":17,"payload_base64":"…","payload":"…"}</c>, where
/// <c>payload</c> is the payload as text when it is valid UTF-8 and null otherwise. Each write is flushed before it
/// completes, so completion means the letter may be acknowledged. Thread-safe: writers take turns on a semaphore, so
/// lines never interleave.
/// </summary>
public sealed class JsonLinesDeadLetterSink : IDeadLetterSink, IAsyncDisposable
{
    private static readonly ReadOnlyMemory<byte> NewLine = "\n"u8.ToArray();
    private static readonly JsonEncodedText ReasonName = JsonEncodedText.Encode("reason");
    private static readonly JsonEncodedText DetailName = JsonEncodedText.Encode("detail");
    private static readonly JsonEncodedText PartitionName = JsonEncodedText.Encode("partition");
    private static readonly JsonEncodedText OffsetName = JsonEncodedText.Encode("offset");
    private static readonly JsonEncodedText PayloadBase64Name = JsonEncodedText.Encode("payload_base64");
    private static readonly JsonEncodedText PayloadName = JsonEncodedText.Encode("payload");

    /// <summary>
    /// Relaxed escaping keeps non-ASCII text and characters such as '+' readable; the file is never embedded in HTML,
    /// and quotes, backslashes and control characters are still escaped.
    /// </summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The destination; written only while holding <see cref="_gate"/>.</summary>
    private readonly Stream _stream;

    /// <summary>Whether disposing the sink disposes the stream.</summary>
    private readonly bool _ownsStream;

    /// <summary>One writer at a time: a line is formatted, written and flushed as one turn.</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The line being formatted; empty whenever the gate is free.</summary>
    private readonly ArrayBufferWriter<byte> _line = new(1024);

    /// <summary>Formats into <see cref="_line"/>; reset for every line.</summary>
    private readonly Utf8JsonWriter _writer;

    /// <summary>A write failed part-way, so the file may end in a partial line: start the next one on a fresh line.</summary>
    private bool _lineBroken;

    /// <summary>Set once, under the gate, by <see cref="DisposeAsync"/>.</summary>
    private bool _disposed;

    /// <summary>Appends to the file at <paramref name="path"/>, creating it if needed.</summary>
    public JsonLinesDeadLetterSink(string path)
        : this(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 4096, FileOptions.Asynchronous), leaveOpen: false)
    {
    }

    /// <summary>Writes to <paramref name="stream"/>; disposing the sink disposes it unless <paramref name="leaveOpen"/>.</summary>
    public JsonLinesDeadLetterSink(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The dead-letter stream is not writable", nameof(stream));
        }
        _stream = stream;
        _ownsStream = !leaveOpen;
        _writer = new Utf8JsonWriter(_line, WriterOptions);
    }

    /// <inheritdoc />
    /// <remarks>
    /// <paramref name="cancellationToken"/> cancels only the wait for a turn: once a line starts it is written whole,
    /// since a half-written line would damage the file for every reader.
    /// </remarks>
    public async ValueTask WriteAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(letter);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Format(letter);
            var broken = _lineBroken;
            _lineBroken = true;
            if (broken)
            {
                await _stream.WriteAsync(NewLine, CancellationToken.None).ConfigureAwait(false);
            }
            await _stream.WriteAsync(_line.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
            await _stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            _lineBroken = false;
        }
        finally
        {
            _line.ResetWrittenCount();
            AssertInvariants();
            _gate.Release();
        }
    }

    /// <summary>Waits for a write in progress, then closes the stream if the sink owns it. Later writes throw.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            await _writer.DisposeAsync().ConfigureAwait(false);
            if (_ownsStream)
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            // The semaphore is left undisposed: writers may still be waiting on it, and they must wake to see _disposed.
            _gate.Release();
        }
    }

    private void Format(DeadLetter letter)
    {
        var payload = letter.Payload.Span;
        _writer.Reset(_line);
        _writer.WriteStartObject();
        _writer.WriteString(ReasonName, letter.Reason.ToString());
        _writer.WriteString(DetailName, letter.Detail);
        _writer.WriteNumber(PartitionName, letter.Position.Partition);
        _writer.WriteNumber(OffsetName, letter.Position.Offset);
        _writer.WriteBase64String(PayloadBase64Name, payload);
        if (Utf8.IsValid(payload))
        {
            _writer.WriteString(PayloadName, payload);
        }
        else
        {
            _writer.WriteNull(PayloadName);
        }
        _writer.WriteEndObject();
        _writer.Flush();
        _line.Write("\n"u8);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() =>
        Debug.Assert(_line.WrittenCount == 0, "The line buffer must be empty whenever the gate is released");
}
