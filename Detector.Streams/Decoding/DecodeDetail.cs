using System.Globalization;
using System.Text;
using Detector.Streams.DeadLetters;

namespace Detector.Streams.Decoding;

/// <summary>
/// Builds the person-readable details of decode errors: the field, the problem and the offending value, cut to
/// <see cref="MaxValueChars"/> characters. Only failure paths call these, so they may allocate.
/// </summary>
internal static class DecodeDetail
{
    /// <summary>Longest piece of a value or payload quoted in a detail.</summary>
    public const int MaxValueChars = 64;

    /// <summary>The payload exceeds the configured limit.</summary>
    public static DecodeError Oversized(int length, int limit) =>
        new(DeadLetterReason.Oversized, string.Create(CultureInfo.InvariantCulture, $"record is {length} bytes; the limit is {limit}"));

    /// <summary>The payload is not valid UTF-8; names the first bad byte.</summary>
    public static DecodeError InvalidUtf8(ReadOnlySpan<byte> payload)
    {
        var index = 0;
        while (index < payload.Length && System.Text.Rune.DecodeFromUtf8(payload[index..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            index += consumed;
        }
        var at = index < payload.Length ? payload[index] : (byte)0;
        return new(DeadLetterReason.Malformed, string.Create(CultureInfo.InvariantCulture, $"not valid UTF-8: byte 0x{at:X2} at offset {index}"));
    }

    /// <summary>A syntax problem, with the start of the payload for context.</summary>
    public static DecodeError Malformed(string problem, ReadOnlySpan<byte> payload) =>
        new(DeadLetterReason.Malformed, $"{problem}: {Text(payload)}");

    /// <summary>A field's value is wrong: "<c>field: problem: value</c>".</summary>
    public static DecodeError Field(DeadLetterReason reason, string field, string problem, ReadOnlySpan<byte> value, bool quoted) =>
        new(reason, quoted ? $"{field}: {problem}: \"{Text(value)}\"" : $"{field}: {problem}: {Text(value)}");

    /// <summary>Fields that are absent (or null or empty), listed by name.</summary>
    public static DecodeError Missing(IReadOnlyList<string> fields)
    {
        const int Shown = 5;
        var names = string.Join(", ", fields.Take(Shown));
        var more = fields.Count > Shown ? string.Create(CultureInfo.InvariantCulture, $" and {fields.Count - Shown} more") : "";
        return new(DeadLetterReason.MissingField, fields.Count == 1 ? $"missing field {names}" : $"missing fields {names}{more}");
    }

    /// <summary>
    /// UTF-8 bytes as text, cut to <see cref="MaxValueChars"/> bytes (backing off to a character boundary) with an ellipsis.
    /// </summary>
    public static string Text(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length <= MaxValueChars)
        {
            return Encoding.UTF8.GetString(utf8);
        }
        var cut = MaxValueChars;
        while (cut > 0 && (utf8[cut] & 0xC0) == 0x80)
        {
            cut--;
        }
        return Encoding.UTF8.GetString(utf8[..cut]) + "…";
    }
}
