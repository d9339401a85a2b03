using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Detector.Streams.Records;

namespace Detector.Streams.Decoding;

/// <summary>
/// Decodes one JSON object per record with <see cref="Utf8JsonReader"/>, allocating nothing but the id and entity-key
/// strings. Top-level properties are matched to schema fields by their UTF-8 bytes; unknown properties (nested objects
/// and arrays included) are skipped. A duplicated property: the last occurrence wins, but every occurrence must be valid.
/// Thread-safe: a decoder holds no per-record state (its one shared state, the flat path's guess of the field order, is a
/// hint that never changes a result). A flat object of plain values (nearly every record) is read by a direct scan that
/// gives the reader's results (JsonRecordDecoder.Flat.cs); anything else is read by the reader.
/// </summary>
/// <remarks>
/// Failure precedence: Oversized, then Malformed (invalid UTF-8, invalid JSON, not an object, trailing content), then
/// the first bad value in document order (NonNumeric, NonFinite, or Malformed for an entity or id that is neither text
/// nor a number), then MissingField listing every absent feature, entity and timestamp.
/// </remarks>
public sealed partial class JsonRecordDecoder : RecordDecoderBase
{
    private readonly SchemaField[] _fields;

    /// <summary>Bit n set when some field name is n bytes long (n &lt; 64): rejects most unknown names in one test.</summary>
    private readonly ulong _nameLengths;

    /// <summary>Some field name is 64 bytes or longer, so the length mask cannot reject long names.</summary>
    private readonly bool _hasLongNames;

    /// <summary>
    /// Per field, <c>"name":</c> in UTF-8 when its name has no quote, backslash or control character (null otherwise), so
    /// the flat path may match it by its bytes alone.
    /// </summary>
    private readonly byte[]?[] _nameTokens;

    /// <summary>
    /// The flat path's guess of the order in which records list their fields: per field, the index of the known field
    /// that followed it in the last record read (the last slot: the first field), learned as records are read. Shared by
    /// every thread decoding with this decoder and written only when a record's order differs; a stale or torn guess
    /// costs a lookup, never a wrong field (a guess is only taken when the name's bytes match).
    /// </summary>
    private readonly int[] _successors;

    /// <summary>Whether flat objects are read by the direct scan first (tests turn it off to compare it with the reader).</summary>
    private readonly bool _flat;

    /// <summary>Creates a decoder for <paramref name="options"/> (validated here; the format setting is not consulted).</summary>
    public JsonRecordDecoder(RecordSchemaOptions options)
        : this(options, flat: true)
    {
    }

    /// <summary>A decoder that reads every record with the reader when <paramref name="flat"/> is false (for tests).</summary>
    internal JsonRecordDecoder(RecordSchemaOptions options, bool flat)
        : base(SchemaLayout.From(options))
    {
        _flat = flat;
        _fields = Layout.Fields;
        _successors = [.. Enumerable.Range(1, _fields.Length).Select(next => next % _fields.Length), 0];
        _nameTokens = [.. _fields.Select(f => f.Utf8Name.AsSpan().IndexOfAny(StringStops) < 0 ? (byte[]?)[(byte)'"', .. f.Utf8Name, (byte)'"', (byte)':'] : null)];
        foreach (var field in _fields)
        {
            if (field.Utf8Name.Length < 64)
            {
                _nameLengths |= 1UL << field.Utf8Name.Length;
            }
            else
            {
                _hasLongNames = true;
            }
        }
    }

    /// <inheritdoc />
    private protected override bool TryRead(ReadOnlySpan<byte> payload, ref RecordAssembler record, scoped Span<byte> scratch, scoped ref byte[]? rented, out DecodeError error)
    {
        error = default;
        if (_flat)
        {
            if (TryReadFlat(payload, ref record))
            {
                return true;
            }
            record.Reset();
        }
        // scoped: the reader lives no longer than the stack scratch its strings are unescaped into.
        scoped Utf8JsonReader reader = new(payload, isFinalBlock: true, state: default);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = DecodeDetail.Malformed("not a JSON object", payload);
                return false;
            }
            var hint = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = Find(Unescaped(ref reader, scratch, ref rented), ref hint);
                if (!reader.Read())
                {
                    break;
                }
                if (field is null)
                {
                    reader.Skip();
                    continue;
                }
                switch (reader.TokenType)
                {
                    case JsonTokenType.Number:
                        record.Text(field, reader.ValueSpan, quoted: false);
                        break;
                    case JsonTokenType.String:
                        record.Text(field, Unescaped(ref reader, scratch, ref rented), quoted: true);
                        break;
                    case JsonTokenType.True:
                    case JsonTokenType.False:
                        record.Boolean(field, reader.TokenType == JsonTokenType.True);
                        break;
                    case JsonTokenType.Null:
                        record.Absent(field);
                        break;
                    default:
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        record.Composite(field, payload[start..(int)reader.BytesConsumed]);
                        break;
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0)
            {
                error = DecodeDetail.Malformed("truncated JSON object", payload);
                return false;
            }
            if (reader.Read())
            {
                error = DecodeDetail.Malformed("content after the JSON object", payload);
                return false;
            }
            return true;
        }
        catch (JsonException ex)
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"invalid JSON at byte {ex.BytePositionInLine ?? reader.BytesConsumed} of line {ex.LineNumber + 1 ?? 1}");
            error = DecodeDetail.Malformed(at, payload);
            return false;
        }
    }

    /// <summary>The field named <paramref name="name"/>, trying first the one <paramref name="hint"/> points at, and pointing it at the next.</summary>
    private SchemaField? Find(ReadOnlySpan<byte> name, ref int hint)
    {
        var index = FindIndex(name, hint);
        if (index < 0)
        {
            return null;
        }
        hint = index + 1 == _fields.Length ? 0 : index + 1;
        return _fields[index];
    }

    /// <summary>
    /// The index of the field named <paramref name="name"/> (−1: none), trying the fields from <paramref name="hint"/>
    /// on: records usually list their properties in a fixed order, so in the common case the first comparison matches.
    /// </summary>
    private int FindIndex(ReadOnlySpan<byte> name, int hint)
    {
        if (name.Length < 64 ? (_nameLengths & (1UL << name.Length)) == 0 : !_hasLongNames)
        {
            return -1;
        }
        var fields = _fields;
        for (int tried = 0, i = hint; tried < fields.Length; tried++, i = i + 1 == fields.Length ? 0 : i + 1)
        {
            if (name.SequenceEqual(fields[i].Utf8Name))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The current string token without escapes; valid until the next call (it may reuse the buffer).</summary>
    private static ReadOnlySpan<byte> Unescaped(scoped ref Utf8JsonReader reader, Span<byte> scratch, scoped ref byte[]? rented)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }
        // Unescaping never lengthens text, so the escaped length is enough room.
        var length = reader.ValueSpan.Length;
        if (length <= scratch.Length)
        {
            return scratch[..reader.CopyString(scratch)];
        }
        if (rented is null || rented.Length < length)
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
            rented = ArrayPool<byte>.Shared.Rent(length);
        }
        return rented.AsSpan(0, reader.CopyString(rented));
    }
}
