using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Detector.Streams.Generators;

/// <summary>
/// One reusable buffer and <see cref="Utf8JsonWriter"/> for a generator's payloads, so a record costs only its own
/// byte[]: the writer is reset onto the cleared buffer for each record rather than allocated.
/// </summary>
// CA1001: the Utf8JsonWriter writes into a managed ArrayBufferWriter and holds no unmanaged resource; its Dispose would
// only flush, which Finish already does per record, so the generators need not become IDisposable for it.
#pragma warning disable CA1001
internal sealed class RecordJsonWriter
#pragma warning restore CA1001
{
    /// <summary>Property name "id".</summary>
    public static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");

    /// <summary>Property name "ts".</summary>
    public static readonly JsonEncodedText TimestampName = JsonEncodedText.Encode("ts");

    /// <summary>Property name "label".</summary>
    public static readonly JsonEncodedText LabelName = JsonEncodedText.Encode("label");

    /// <summary>Property name "scenario".</summary>
    public static readonly JsonEncodedText ScenarioName = JsonEncodedText.Encode("scenario");

    private static readonly double[] Pow10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
    private static readonly long[] Pow10Long = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly Utf8JsonWriter _writer;
    private readonly byte[] _idPrefix;

    /// <summary>Ids are "<paramref name="prefix"/>-<paramref name="seed"/> in hex-sequence", unique within a stream and across seeds.</summary>
    public RecordJsonWriter(string prefix, ulong seed)
    {
        _idPrefix = Encoding.ASCII.GetBytes(FormattableString.Invariant($"{prefix}-{seed:x}-"));
        _writer = new Utf8JsonWriter(_buffer);
    }

    /// <summary>The writer of the record being built (valid between <see cref="Begin"/> and <see cref="Finish"/>).</summary>
    public Utf8JsonWriter Json => _writer;

    /// <summary>Starts a record: clears the buffer, opens the object and writes "id" and "ts".</summary>
    public void Begin(long sequence, DateTime utc)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        Span<byte> id = stackalloc byte[64];
        _idPrefix.CopyTo(id);
        Utf8Formatter.TryFormat(sequence, id[_idPrefix.Length..], out var digits);
        _writer.WriteString(IdName, id[..(_idPrefix.Length + digits)]);
        _writer.WriteString(TimestampName, utc);
    }

    /// <summary>
    /// Writes a number rounded to <paramref name="digits"/> decimals (shorter payloads; features become float32 anyway).
    /// Formatting the rounded value as a scaled integer costs a fraction of the shortest round-trip double formatting,
    /// which otherwise dominates the cost of a record.
    /// </summary>
    public void Number(JsonEncodedText name, double value, int digits)
    {
        var scaled = Math.Round(value * Pow10[digits]);
        if (!(Math.Abs(scaled) < 1e15))
        {
            _writer.WriteNumber(name, Math.Round(value, digits));
            return;
        }
        var units = (long)scaled;
        Span<byte> text = stackalloc byte[24];
        var length = 0;
        if (units < 0)
        {
            text[length++] = (byte)'-';
            units = -units;
        }
        var whole = units / Pow10Long[digits];
        var fraction = units - whole * Pow10Long[digits];
        Utf8Formatter.TryFormat(whole, text[length..], out var written);
        length += written;
        if (fraction != 0)
        {
            // The fraction's digits with their leading zeros, then trailing zeros trimmed: 0.05000 -> "0.05".
            text[length++] = (byte)'.';
            var start = length;
            for (var d = digits - 1; d >= 0; d--)
            {
                text[start + d] = (byte)('0' + fraction % 10);
                fraction /= 10;
            }
            length = start + digits;
            while (text[length - 1] == (byte)'0')
            {
                length--;
            }
        }
        _writer.WritePropertyName(name);
        _writer.WriteRawValue(text[..length], skipInputValidation: true);
    }

    /// <summary>Writes "label" and "scenario", closes the object and returns the payload bytes.</summary>
    public byte[] Finish(bool label, JsonEncodedText scenario)
    {
        _writer.WriteNumber(LabelName, label ? 1 : 0);
        _writer.WriteString(ScenarioName, scenario);
        _writer.WriteEndObject();
        _writer.Flush();
        return _buffer.WrittenSpan.ToArray();
    }
}
