using System.Buffers;

namespace Detector.Streams.Decoding;

// The flat path: records are nearly always one flat JSON object of plain numbers and strings, which a direct scan
// reads for less than Utf8JsonReader's per-token machinery costs (`./detector bench decode`: card records ~1.7x faster,
// fleet ~1.6x; docs/benchmarks.md). It accepts only what it can read exactly as the reader would — property names and
// strings without escapes or control characters, numbers in JSON's own grammar, true/false/null, JSON whitespace — and
// declines anything else (a nested value, an escape, any syntax it does not expect), after which the record is read
// again by the reader, from a fresh assembler, so every error and every edge case keeps the reader's behaviour. Its
// speed changes, never its results.
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
            var field = ExpectedName(payload, ref i, ref hint);
            if (field is null)
            {
                if (!TryString(payload, ref i, out var name))
                {
                    return false;
                }
                field = Find(name, ref hint);
            }
            i = SkipWhitespace(payload, i);
            if (i >= payload.Length || payload[i] != (byte)':')
            {
                return false;
            }
            i = SkipWhitespace(payload, i + 1);
            if (i >= payload.Length || !TryValue(payload, ref i, field, ref record))
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

    /// <summary>
    /// The field <paramref name="hint"/> points at when its quoted name is what <paramref name="i"/> points at (records
    /// list their properties in a fixed order, so this is nearly always so): one comparison instead of a scan for the
    /// closing quote and a lookup; null otherwise. Only names without a quote, backslash or control character are
    /// matched this way, so whatever it matches, the scan would have read the same way.
    /// </summary>
    private SchemaField? ExpectedName(ReadOnlySpan<byte> payload, ref int i, ref int hint)
    {
        var fields = _fields;
        if ((uint)hint >= (uint)fields.Length || !_plainNames[hint])
        {
            return null;
        }
        var field = fields[hint];
        var name = field.Utf8Name;
        var end = i + 1 + name.Length;
        if (end >= payload.Length || payload[i] != (byte)'"' || payload[end] != (byte)'"' || !payload.Slice(i + 1, name.Length).SequenceEqual(name))
        {
            return null;
        }
        i = end + 1;
        hint = hint + 1 == fields.Length ? 0 : hint + 1;
        return field;
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
                if (!TryNumber(payload, ref i, out var digits, out var fraction, out var plain))
                {
                    return false;
                }
                if (field is not null)
                {
                    var number = payload[start..i];
                    if (plain && FastPaths.TryFromDigits(digits, fraction, number[0] == (byte)'-', out var value))
                    {
                        record.Number(field, number, value);
                    }
                    else
                    {
                        record.Text(field, number, quoted: false);
                    }
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

    /// <summary>
    /// A number in JSON's grammar, -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, at <paramref name="i"/>; <paramref name="i"/>
    /// moves past it. Its digits are collected on the way: <paramref name="plain"/> says the number has no exponent and at most
    /// 15 digits, so that ±<paramref name="digits"/> / 10^<paramref name="fraction"/> is its value exactly as
    /// <see cref="FastPaths.TryParseDecimal"/> would read it (without reading it again).
    /// </summary>
    private static bool TryNumber(ReadOnlySpan<byte> payload, ref int i, out ulong digits, out int fraction, out bool plain)
    {
        (digits, fraction, plain) = (0, 0, false);
        var j = i;
        if (j < payload.Length && payload[j] == (byte)'-')
        {
            j++;
        }
        if (j >= payload.Length || !IsDigit(payload[j]))
        {
            return false;
        }
        var first = j;
        j = payload[j] == (byte)'0' ? j + 1 : Digits(payload, j, ref digits);
        var count = j - first;
        if (j < payload.Length && payload[j] == (byte)'.')
        {
            if (j + 1 >= payload.Length || !IsDigit(payload[j + 1]))
            {
                return false;
            }
            var fractionStart = j + 1;
            j = Digits(payload, fractionStart, ref digits);
            fraction = j - fractionStart;
            count += fraction;
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
            var exponent = 0UL;
            i = Digits(payload, j, ref exponent);
            return true;
        }
        i = j;
        plain = count <= PlainDigits;
        return true;
    }

    /// <summary>Most digits of a number read by the scan itself: 10^15 &lt; 2^53, so they are exact as a double.</summary>
    private const int PlainDigits = 15;

    /// <summary>The index after the run of digits starting at <paramref name="i"/>, the digits appended to <paramref name="value"/> (wrapping past 19 digits: callers use it only for 15 or fewer).</summary>
    private static int Digits(ReadOnlySpan<byte> payload, int i, ref ulong value)
    {
        while (i < payload.Length && IsDigit(payload[i]))
        {
            value = value * 10 + (uint)(payload[i] - (byte)'0');
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
