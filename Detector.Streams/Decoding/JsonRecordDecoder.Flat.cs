using System.Buffers;

namespace Detector.Streams.Decoding;

// The flat path: records are nearly always one flat JSON object of plain numbers and strings, which a direct scan
// reads for less than Utf8JsonReader's per-token machinery costs (`./detector bench decode`: card and fleet records
// ~2.2x faster; docs/benchmarks.md). Producers list a record's fields in the same order every time, so the scan expects
// the field that followed the previous one in the last record and compares its `"name":` in one go. It accepts only
// what it can read exactly as the reader would — property names and strings without escapes or control characters,
// numbers in JSON's own grammar, true/false/null, JSON whitespace — and declines anything else (a nested value, an
// escape, any syntax it does not expect), after which the record is read again by the reader, from a fresh assembler,
// so every error and every edge case keeps the reader's behaviour. Its speed changes, never its results.
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
    /// record then holds part of it and must be reset before the reader reads it). The position moves through plain
    /// locals, each helper returning the index after what it read (−1: declined), so the JIT keeps it in a register.
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
        var fields = _fields;
        var successors = _successors;
        var previous = fields.Length;
        while (true)
        {
            var hint = successors[previous];
            var found = ExpectedName(payload, ref i, hint);
            if (found < 0)
            {
                var end = StringEnd(payload, i);
                if (end < 0)
                {
                    return false;
                }
                found = FindIndex(payload[(i + 1)..end], hint);
                i = SkipWhitespace(payload, end + 1);
                if (i >= payload.Length || payload[i] != (byte)':')
                {
                    return false;
                }
                i++;
            }
            SchemaField? field = null;
            if (found >= 0)
            {
                field = fields[found];
                if (successors[previous] != found)
                {
                    successors[previous] = found;
                }
                previous = found;
            }
            i = SkipWhitespace(payload, i);
            if (i >= payload.Length || (i = Value(payload, i, field, ref record)) < 0)
            {
                return false;
            }
            // The common case first, ahead of the general tail below that also reads it: a comma right after the value
            // (without this branch `bench decode` ran ~5 % slower: cards 572–592 against 542–566 ns, alternating).
            if (i < payload.Length && payload[i] == (byte)',')
            {
                i = SkipWhitespace(payload, i + 1);
                continue;
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
    /// <paramref name="hint"/> when the quoted name of the field it points at and the colon after it (<c>"name":</c>)
    /// are what <paramref name="i"/> points at, which then moves past the colon: one comparison instead of a scan for
    /// the closing quote, a lookup and the colon. −1 otherwise (whitespace before the colon included: the scan reads
    /// that). Only names without a quote, backslash or control character have such a token, so whatever it matches,
    /// the scan would have read the same way.
    /// </summary>
    private int ExpectedName(ReadOnlySpan<byte> payload, ref int i, int hint)
    {
        if (_nameTokens[hint] is not { } token || !payload[i..].StartsWith(token))
        {
            return -1;
        }
        i += token.Length;
        return hint;
    }

    /// <summary>
    /// Reads the value at <paramref name="i"/> (not past the end) for <paramref name="field"/> (null: unknown, read and
    /// dropped); the index after it, or −1 when the flat path declines it.
    /// </summary>
    private static int Value(ReadOnlySpan<byte> payload, int i, SchemaField? field, ref RecordAssembler record)
    {
        switch (payload[i])
        {
            case (byte)'"':
                var end = StringEnd(payload, i);
                if (end >= 0 && field is not null)
                {
                    record.Text(field, payload[(i + 1)..end], quoted: true);
                }
                return end < 0 ? -1 : end + 1;
            case (byte)'t':
                return Literal(payload, i, "true"u8, field, ref record);
            case (byte)'f':
                return Literal(payload, i, "false"u8, field, ref record);
            case (byte)'n':
                return Literal(payload, i, "null"u8, field, ref record);
            default:
                return Number(payload, i, field, ref record);
        }
    }

    /// <summary>The index of the closing quote of the string at <paramref name="i"/>; −1 when there is none, or the string holds an escape or a control character.</summary>
    private static int StringEnd(ReadOnlySpan<byte> payload, int i)
    {
        if (i >= payload.Length || payload[i] != (byte)'"')
        {
            return -1;
        }
        var length = payload[(i + 1)..].IndexOfAny(StringStops);
        return length < 0 || payload[i + 1 + length] != (byte)'"' ? -1 : i + 1 + length;
    }

    /// <summary>The literal true, false or null at <paramref name="i"/>, given to <paramref name="field"/> as the reader would; the index after it, or −1.</summary>
    private static int Literal(ReadOnlySpan<byte> payload, int i, ReadOnlySpan<byte> literal, SchemaField? field, ref RecordAssembler record)
    {
        if (!payload[i..].StartsWith(literal))
        {
            return -1;
        }
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
        return i + literal.Length;
    }

    /// <summary>
    /// A number in JSON's grammar, -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, at <paramref name="i"/>, given to
    /// <paramref name="field"/>; the index after it, or −1. Its digits are collected on the way: a plain number (no
    /// exponent, at most 15 digits) is ±digits / 10^fraction, which <see cref="FastPaths.TryFromDigits"/> turns into
    /// exactly the float <see cref="FastPaths.TryParseDecimal"/> would read (without reading it again); any other goes
    /// to the general parser as text.
    /// </summary>
    private static int Number(ReadOnlySpan<byte> payload, int i, SchemaField? field, ref RecordAssembler record)
    {
        var j = i;
        var negative = payload[j] == (byte)'-';
        if (negative)
        {
            j++;
        }
        if (j >= payload.Length || !IsDigit(payload[j]))
        {
            return -1;
        }
        var first = j;
        var digits = 0UL;
        j = payload[j] == (byte)'0' ? j + 1 : Digits(payload, j, ref digits);
        var count = j - first;
        var fraction = 0;
        if (j < payload.Length && payload[j] == (byte)'.')
        {
            if (j + 1 >= payload.Length || !IsDigit(payload[j + 1]))
            {
                return -1;
            }
            var fractionStart = j + 1;
            j = Digits(payload, fractionStart, ref digits);
            fraction = j - fractionStart;
            count += fraction;
        }
        var plain = count <= PlainDigits;
        if (j < payload.Length && (payload[j] | 0x20) == (byte)'e')
        {
            plain = false;
            j++;
            if (j < payload.Length && (payload[j] == (byte)'+' || payload[j] == (byte)'-'))
            {
                j++;
            }
            if (j >= payload.Length || !IsDigit(payload[j]))
            {
                return -1;
            }
            var exponent = 0UL;
            j = Digits(payload, j, ref exponent);
        }
        if (field is not null)
        {
            var number = payload[i..j];
            if (plain && FastPaths.TryFromDigits(digits, fraction, negative, out var value))
            {
                record.Number(field, number, value);
            }
            else
            {
                record.Text(field, number, quoted: false);
            }
        }
        return j;
    }

    /// <summary>Most digits of a number read by the scan itself: 10^15 &lt; 2^53, so they are exact as a double.</summary>
    private const int PlainDigits = 15;

    /// <summary>The index after the run of digits starting at <paramref name="i"/>, the digits appended to <paramref name="value"/> (wrapping past 19 digits: callers use it only for 15 or fewer).</summary>
    private static int Digits(ReadOnlySpan<byte> payload, int i, ref ulong value)
    {
        var digits = value;
        while (i < payload.Length && IsDigit(payload[i]))
        {
            digits = digits * 10 + (uint)(payload[i] - (byte)'0');
            i++;
        }
        value = digits;
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
