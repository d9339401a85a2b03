using System.Buffers;
using System.Globalization;
using System.Text;

namespace Detector.Streams.Decoding;

/// <summary>Allocation-free parsers for field text in UTF-8, shared by the JSON and CSV decoders.</summary>
internal static class FieldParsers
{
    /// <summary>Longest timestamp text tried as ISO-8601 (the longest sensible form is about 35 characters).</summary>
    private const int MaxTimestampChars = 48;

    /// <summary>The bytes a decimal number may contain after its first digit.</summary>
    private static readonly SearchValues<byte> NumberBytes = SearchValues.Create("0123456789.eE+-"u8);

    private static readonly long MinUnixMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxUnixMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>
    /// Parses a float from invariant-culture text (a JSON number or a numeric string). Succeeds for "NaN", "Infinity" and
    /// values beyond float range (which become ±∞): the caller tells those apart as non-finite rather than non-numeric.
    /// </summary>
    public static bool TryParseFloat(ReadOnlySpan<byte> utf8, out float value) =>
        FastPaths.TryParseDecimal(utf8, out value) || float.TryParse(utf8, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>
    /// Parses an event time: an integer (optionally fractional) count of Unix milliseconds, or ISO-8601 text
    /// (yyyy-MM-dd, optionally with a time and an offset; no offset means UTC).
    /// </summary>
    public static bool TryParseTimestamp(ReadOnlySpan<byte> utf8, out DateTimeOffset value)
    {
        value = default;
        if (utf8.IsEmpty)
        {
            return false;
        }
        if (LooksNumeric(utf8))
        {
            if (long.TryParse(utf8, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms))
            {
                return FromUnixMs(ms, out value);
            }
            return double.TryParse(utf8, NumberStyles.Float, CultureInfo.InvariantCulture, out var fractional)
                && double.IsFinite(fractional) && fractional >= MinUnixMs && fractional <= MaxUnixMs
                && FromUnixMs((long)Math.Floor(fractional), out value);
        }
        if (FastPaths.TryParseIsoInstant(utf8, out value))
        {
            return true;
        }
        if (utf8.Length > MaxTimestampChars || !LooksIsoDate(utf8))
        {
            return false;
        }
        Span<char> chars = stackalloc char[MaxTimestampChars];
        var count = Encoding.UTF8.GetChars(utf8, chars);
        return DateTimeOffset.TryParse(chars[..count], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    /// <summary>Parses a label: true/false (any case) or 1/0.</summary>
    public static bool TryParseLabel(ReadOnlySpan<byte> utf8, out bool value)
    {
        if (utf8.SequenceEqual("1"u8) || Ascii.EqualsIgnoreCase(utf8, "true"u8))
        {
            value = true;
            return true;
        }
        value = false;
        return utf8.SequenceEqual("0"u8) || Ascii.EqualsIgnoreCase(utf8, "false"u8);
    }

    private static bool FromUnixMs(long ms, out DateTimeOffset value)
    {
        if (ms < MinUnixMs || ms > MaxUnixMs)
        {
            value = default;
            return false;
        }
        value = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return true;
    }

    /// <summary>A sign, digits and at most the characters of a decimal or exponent: a number, not a date.</summary>
    private static bool LooksNumeric(ReadOnlySpan<byte> utf8)
    {
        var start = utf8[0] is (byte)'-' or (byte)'+' ? 1 : 0;
        return start < utf8.Length && char.IsAsciiDigit((char)utf8[start])
            && utf8[start..].IndexOfAnyExcept(NumberBytes) < 0
            && !LooksIsoDate(utf8);
    }

    /// <summary>Starts as yyyy-MM-dd does: the shape ISO-8601 calendar dates have.</summary>
    private static bool LooksIsoDate(ReadOnlySpan<byte> utf8) =>
        utf8.Length >= 10 && utf8[4] == (byte)'-' && utf8[7] == (byte)'-'
        && utf8[..4].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0
        && utf8[5..7].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0
        && utf8[8..10].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
}
