using System.Globalization;
using System.Text;
using Detector.Streams.DeadLetters;
using Detector.Streams.Records;

namespace Detector.Streams.Decoding;

/// <summary>
/// Collects one record's field values as a decoder meets them, in record order, and keeps the first value error. A
/// later value for the same field replaces an earlier one (a duplicated JSON property: the last one wins), but an
/// invalid value fails the record even if a valid one follows. Null and empty values count as absent.
/// </summary>
internal ref struct RecordAssembler
{
    private readonly SchemaLayout _layout;
    private readonly Span<float> _features;
    private string? _entity;
    private string? _id;
    private DateTimeOffset _timestamp;
    private bool _hasTimestamp;
    private bool? _label;
    private DecodeError _error;
    private bool _failed;

    /// <summary>Starts a record; every feature starts as NaN, which no accepted value can be, so NaN later means absent.</summary>
    public RecordAssembler(SchemaLayout layout, Span<float> features)
    {
        _layout = layout;
        _features = features;
        features.Fill(float.NaN);
    }

    /// <summary>Forgets every value and error, as a new assembler would (a decoder that gave up on one way of reading starts over).</summary>
    public void Reset()
    {
        _features.Fill(float.NaN);
        (_entity, _id, _timestamp, _hasTimestamp, _label, _failed, _error) = (null, null, default, false, null, false, default);
    }

    /// <summary>A text value (a JSON number or string, or a CSV column): <paramref name="quoted"/> says how to show it.</summary>
    public void Text(SchemaField field, scoped ReadOnlySpan<byte> text, bool quoted)
    {
        if (text.IsEmpty)
        {
            Absent(field);
            return;
        }
        if (field.Features.Length > 0)
        {
            if (!FieldParsers.TryParseFloat(text, out var value))
            {
                Fail(DeadLetterReason.NonNumeric, field.Name, "not a number", text, quoted);
            }
            else if (!float.IsFinite(value))
            {
                // "1e999" parses as +∞: say it overflowed, since the sender did not write infinity.
                var problem = text.IndexOfAnyInRange((byte)'0', (byte)'9') >= 0 ? "not finite as float32" : "not finite";
                Fail(DeadLetterReason.NonFinite, field.Name, problem, text, quoted);
            }
            else
            {
                SetFeatures(field, value);
            }
        }
        Keys(field, text, quoted);
    }

    /// <summary>
    /// A number already parsed to <paramref name="value"/> (finite, as <see cref="FieldParsers.TryParseFloat"/> gives it
    /// for <paramref name="text"/>): what <see cref="Text"/> does with the unquoted text, without parsing it again.
    /// </summary>
    public void Number(SchemaField field, scoped ReadOnlySpan<byte> text, float value)
    {
        if (field.OnlyFeature >= 0)
        {
            _features[field.OnlyFeature] = value;
            return;
        }
        SetFeatures(field, value);
        Keys(field, text, quoted: false);
    }

    private readonly void SetFeatures(SchemaField field, float value)
    {
        foreach (var index in field.Features)
        {
            _features[index] = value;
        }
    }

    /// <summary>The non-feature roles of a text value: entity key, id, timestamp, label.</summary>
    private void Keys(SchemaField field, scoped ReadOnlySpan<byte> text, bool quoted)
    {
        if (field.IsEntity)
        {
            _entity = Encoding.UTF8.GetString(text);
        }
        if (field.IsId)
        {
            _id = Encoding.UTF8.GetString(text);
        }
        if (field.IsTimestamp)
        {
            if (FieldParsers.TryParseTimestamp(text, out var timestamp))
            {
                _timestamp = timestamp;
                _hasTimestamp = true;
            }
            else
            {
                Fail(DeadLetterReason.NonNumeric, field.Name, "not a timestamp (ISO-8601 or Unix milliseconds)", text, quoted);
            }
        }
        if (field.IsLabel)
        {
            if (FieldParsers.TryParseLabel(text, out var label))
            {
                _label = label;
            }
            else
            {
                Fail(DeadLetterReason.NonNumeric, field.Name, "not a label (true/false, 1/0)", text, quoted);
            }
        }
    }

    /// <summary>A JSON true or false: only a label accepts it.</summary>
    public void Boolean(SchemaField field, bool value)
    {
        var text = value ? "true"u8 : "false"u8;
        if (field.IsLabel)
        {
            _label = value;
        }
        WrongKind(field, text);
    }

    /// <summary>A JSON object or array (<paramref name="raw"/> is its text): no field accepts it.</summary>
    public void Composite(SchemaField field, scoped ReadOnlySpan<byte> raw)
    {
        if (field.IsLabel)
        {
            Fail(DeadLetterReason.NonNumeric, field.Name, "not a label (true/false, 1/0)", raw, quoted: false);
        }
        WrongKind(field, raw);
    }

    /// <summary>A null, an empty string or an empty column: the field counts as absent (and forgets an earlier value).</summary>
    public void Absent(SchemaField field)
    {
        foreach (var index in field.Features)
        {
            _features[index] = float.NaN;
        }
        if (field.IsEntity)
        {
            _entity = null;
        }
        if (field.IsId)
        {
            _id = null;
        }
        if (field.IsTimestamp)
        {
            _hasTimestamp = false;
        }
        if (field.IsLabel)
        {
            _label = null;
        }
    }

    /// <summary>
    /// Ends the record: the first value error if any; else every absent feature, entity or timestamp as one missing-field
    /// error; else the record info (the id defaults to "partition:offset").
    /// </summary>
    public readonly bool TryFinish(SourcePosition position, out RecordInfo info, out DecodeError error)
    {
        info = default;
        error = _failed ? _error : default;
        if (_failed)
        {
            return false;
        }
        List<string>? missing = null;
        for (var i = 0; i < _features.Length; i++)
        {
            if (float.IsNaN(_features[i]) && (missing is null || !missing.Contains(_layout.FeatureFields[i])))
            {
                (missing ??= []).Add(_layout.FeatureFields[i]);
            }
        }
        if (_entity is null)
        {
            (missing ??= []).Add(_layout.EntityField);
        }
        if (!_hasTimestamp)
        {
            (missing ??= []).Add(_layout.TimestampField);
        }
        if (missing is not null)
        {
            error = DecodeDetail.Missing(missing);
            return false;
        }
        var id = _id ?? string.Create(CultureInfo.InvariantCulture, $"{position.Partition}:{position.Offset}");
        info = new RecordInfo(id, _entity!, _timestamp, _label);
        return true;
    }

    private void WrongKind(SchemaField field, scoped ReadOnlySpan<byte> raw)
    {
        if (field.Features.Length > 0)
        {
            Fail(DeadLetterReason.NonNumeric, field.Name, "not a number", raw, quoted: false);
        }
        if (field.IsTimestamp)
        {
            Fail(DeadLetterReason.NonNumeric, field.Name, "not a timestamp (ISO-8601 or Unix milliseconds)", raw, quoted: false);
        }
        if (field.IsEntity || field.IsId)
        {
            // Out of schema rather than unparseable, but no closer reason exists: a key must be text or a number.
            Fail(DeadLetterReason.Malformed, field.Name, "not a string or number", raw, quoted: false);
        }
    }

    private void Fail(DeadLetterReason reason, string field, string problem, scoped ReadOnlySpan<byte> value, bool quoted)
    {
        if (!_failed)
        {
            _failed = true;
            _error = DecodeDetail.Field(reason, field, problem, value, quoted);
        }
    }
}
