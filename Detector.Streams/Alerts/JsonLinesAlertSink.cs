using System.Buffers;
using System.Text.Json;

namespace Detector.Streams.Alerts;

/// <summary>Alerts as JSON lines on a stream (a file, stdout); flushed before a publish completes.</summary>
public sealed class JsonLinesAlertSink : IAlertSink, IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Writes to stream; disposes it on dispose when owned.</summary>
    public JsonLinesAlertSink(Stream stream, bool ownsStream)
    {
        _stream = stream;
        _ownsStream = ownsStream;
    }

    /// <summary>Appends to a file (created if missing).</summary>
    public static JsonLinesAlertSink ToFile(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }
        return new JsonLinesAlertSink(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), ownsStream: true);
    }

    /// <inheritdoc />
    public async ValueTask PublishAsync(IReadOnlyList<Alert> alerts, CancellationToken cancellationToken)
    {
        if (alerts.Count == 0)
        {
            return;
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _buffer.ResetWrittenCount();
            foreach (var alert in alerts)
            {
                using (var w = new Utf8JsonWriter(_buffer))
                {
                    alert.WriteTo(w);
                }
                _buffer.Write("\n"u8);
            }
            await _stream.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ownsStream)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        _gate.Dispose();
    }
}
