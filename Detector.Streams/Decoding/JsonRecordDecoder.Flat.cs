using System.Buffers;

namespace Detector.Streams.Decoding;

// The flat path: records are nearly always one flat JSON object of plain numbers and strings, which a direct scan
// reads for less than Utf8JsonReader's per-token machinery costs (measured on card records: decoding ~1.4x faster, the
// pipeline from memory ~1.4x; docs/benchmarks.md). It accepts only what it can
// read exactly as the reader would — property names and strings without escapes or control characters, numbers in
// JSON's own grammar, true/false/null, JSON whitespace — and declines anything else (a nested value, an escape, any
// syntax it does not expect), after which the record is read again by the reader, from a fresh assembler, so every
// error and every edge case keeps the reader's behaviour. Its speed changes, never its results.
public sealed partial class JsonRecordDecoder
{
    /// <summary>What ends a plain string, or makes the flat path decline it: the quote, a backslash, a control character.</summary>
    private static readonly SearchValues<byte> StringStops = SearchValues.Create(
        [(byte)'"', (byte)'\\', .. Enumerable.Range(0, 0x20).Select(b => (byte)b)]);

    /// <summary>Whether the flat path reads <paramref name="payload"/> (valid UTF-8) rather than declining it to the reader (for tests).</summary>
    internal bool ReadsFlat(ReadOnlySpan<byte> payload)
    {
        var record = new RecordAssembler(Layout, new float[FeatureCount]);
        return TryReadFlat(payload, ref record);
    }

    /// <summary>
    /// Reads a flat object into <paramref name="record"/>; false when the payload is not one it reads exactly (the
    /// record then holds part of it and must be reset before the reader reads it).
    /// </summary>
    private bool TryReadFlat(ReadOnlySpan<byte> payload, ref RecordAssembler record)
    {
        var i = SkipWhitespace(payload, 0);
        if (i >= payload.Length || payload[i] != (byte)'{')
        {
            return false;
        }
        i = SkipWhitespace(payload, i + 1);
        if (i < payload.Length && payload[i] == (byte)'}')
        {
            return SkipWhitespace(payload, i + 1) == payload.Length;
        }
        var hint = 0;
        while (true)
        {
            if (!TryString(payload, ref i, out var name))
            {
                return false;
            }
            i = SkipWhitespace(payload, i);
            if (i >= payload.Length || payload[i] != (byte)':')
            {
                return false;
            }
            i = SkipWhitespace(payload, i + 1);
            if (i >= payload.Length || !TryValue(payload, ref i, Find(name, ref hint), ref record))
            {
                return false;
            }
            i = SkipWhitespace(payload, i);
            if (i >= payload.Length)
            {
                return false;
            }
            if (payload[i] == (byte)'}')
            {
                return SkipWhitespace(payload, i + 1) == payload.Length;
            }
            if (payload[i] != (byte)',')
            {
                return false;
            }
            i = SkipWhitespace(payload, i + 1);
        }
    }

    /// <summary>Reads the value at <paramref name="i"/> (not past the end) for <paramref name="field"/> (null: unknown, read and dropped).</summary>
    private static bool TryValue(ReadOnlySpan<byte> payload, ref int i, SchemaField? field, ref RecordAssembler record)
    {
        switch (payload[i])
        {
            case (byte)'"':
                if (!TryString(payload, ref i, out var text))
                {
                    return false;
                }
                if (field is not null)
                {
                    record.Text(field, text, quoted: true);
                }
                return true;
            case (byte)'t':
                return TryLiteral(payload, ref i, "true"u8, field, ref record);
            case (byte)'f':
                return TryLiteral(payload, ref i, "false"u8, field, ref record);
            case (byte)'n':
                return TryLiteral(payload, ref i, "null"u8, field, ref record);
            default:
                var start = i;
                if (!TryNumber(payload, ref i))
                {
                    return false;
                }
                if (field is not null)
                {
                    record.Text(field, payload[start..i], quoted: false);
                }
                return true;
        }
    }

    /// <summary>A string at <paramref name="i"/> without escapes or control characters; <paramref name="i"/> moves past its closing quote.</summary>
    private static bool TryString(ReadOnlySpan<byte> payload, ref int i, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (i >= payload.Length || payload[i] != (byte)'"')
        {
            return false;
        }
        var rest = payload[(i + 1)..];
        var end = rest.IndexOfAny(StringStops);
        if (end < 0 || rest[end] != (byte)'"')
        {
            return false;
        }
        text = rest[..end];
        i += end + 2;
        return true;
    }

    /// <summary>The literal true, false or null at <paramref name="i"/>, given to <paramref name="field"/> as the reader would.</summary>
    private static bool TryLiteral(ReadOnlySpan<byte> payload, ref int i, ReadOnlySpan<byte> literal, SchemaField? field, ref RecordAssembler record)
    {
        if (!payload[i..].StartsWith(literal))
        {
            return false;
        }
        i += literal.Length;
        if (field is not null)
        {
            if (literal[0] == (byte)'n')
            {
                record.Absent(field);
            }
            else
            {
                record.Boolean(field, literal[0] == (byte)'t');
            }
        }
        return true;
    }

    /// <summary>A number in JSON's grammar, -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, at <paramref name="i"/>; <paramref name="i"/> moves past it.</summary>
    private static bool TryNumber(ReadOnlySpan<byte> payload, ref int i)
    {
        var j = i;
        if (j < payload.Length && payload[j] == (byte)'-')
        {
            j++;
        }
        if (j >= payload.Length || !IsDigit(payload[j]))
        {
            return false;
        }
        j = payload[j] == (byte)'0' ? j + 1 : Digits(payload, j);
        if (j < payload.Length && payload[j] == (byte)'.')
        {
            if (j + 1 >= payload.Length || !IsDigit(payload[j + 1]))
            {
                return false;
            }
            j = Digits(payload, j + 1);
        }
        if (j < payload.Length && (payload[j] | 0x20) == (byte)'e')
        {
            j++;
            if (j < payload.Length && (payload[j] == (byte)'+' || payload[j] == (byte)'-'))
            {
                j++;
            }
            if (j >= payload.Length || !IsDigit(payload[j]))
            {
                return false;
            }
            j = Digits(payload, j);
        }
        i = j;
        return true;
    }

    /// <summary>The index after the run of digits starting at <paramref name="i"/>.</summary>
    private static int Digits(ReadOnlySpan<byte> payload, int i)
    {
        while (i < payload.Length && IsDigit(payload[i]))
        {
            i++;
        }
        return i;
    }

    private static bool IsDigit(byte b) => (uint)(b - (byte)'0') <= 9;

    /// <summary>The index of the first byte at or after <paramref name="i"/> that is not JSON whitespace (space, tab, LF, CR).</summary>
    private static int SkipWhitespace(ReadOnlySpan<byte> payload, int i)
    {
        while (i < payload.Length && payload[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            i++;
        }
        return i;
    }
}
