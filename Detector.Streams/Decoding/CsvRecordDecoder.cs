using System.Buffers;
using System.Globalization;
using System.Text.Unicode;
using Detector.Streams.DeadLetters;
using Detector.Streams.Records;

namespace Detector.Streams.Decoding;

/// <summary>
/// Decodes one delimited line per record (no terminator; a trailing CR is ignored) with RFC 4180 quoting: a field may
/// be enclosed in double quotes, inside which a doubled quote stands for one; quotes may not appear in unquoted fields.
/// Columns are named by <see cref="RecordSchemaOptions.CsvColumns"/>; when a name repeats, its first column is read.
/// An empty column counts as an absent value. Thread-safe: a decoder holds no per-record state.
/// </summary>
/// <remarks>
/// Failure precedence: Oversized, then Malformed (invalid UTF-8, unbalanced quotes, text after a closing quote), then
/// WrongArity, then the first bad value in column order, then MissingField listing every absent feature, entity and
/// timestamp.
/// </remarks>
public sealed class CsvRecordDecoder : RecordDecoderBase
{
    /// <summary>The schema field each column feeds, or null for a column the schema does not use.</summary>
    private readonly SchemaField?[] _columns;

    /// <summary>The delimiter as a UTF-8 byte.</summary>
    private readonly byte _delimiter;

    /// <summary>Creates a decoder for <paramref name="options"/> (validated here; the format setting is not consulted).</summary>
    public CsvRecordDecoder(RecordSchemaOptions options)
        : base(SchemaLayout.From(options))
    {
        if (options.CsvDelimiter is > (char)0x7F or '"' or '\r' or '\n')
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CsvDelimiter,
                $"Schema:CsvDelimiter = '{options.CsvDelimiter}' is invalid; allowed: one ASCII character other than a quote or line break");
        }
        _delimiter = (byte)options.CsvDelimiter;
        _columns = new SchemaField?[options.CsvColumns.Count];
        foreach (var field in Layout.Fields)
        {
            var column = options.CsvColumns.ToList().IndexOf(field.Name);
            _columns[column] = field;
        }
    }

    /// <inheritdoc />
    private protected override bool TryRead(ReadOnlySpan<byte> payload, ref RecordAssembler record, scoped Span<byte> scratch, scoped ref byte[]? rented, out DecodeError error)
    {
        error = default;
        var line = payload.Length > 0 && payload[^1] == (byte)'\r' ? payload[..^1] : payload;
        var column = 0;
        var pos = 0;
        while (true)
        {
            scoped ReadOnlySpan<byte> value;
            var quoted = pos < line.Length && line[pos] == (byte)'"';
            if (quoted)
            {
                var start = pos + 1;
                var end = start;
                var doubled = false;
                while (true)
                {
                    var quote = line[end..].IndexOf((byte)'"');
                    if (quote < 0)
                    {
                        error = ColumnMalformed("unbalanced quote", column, payload);
                        return false;
                    }
                    end += quote;
                    if (end + 1 < line.Length && line[end + 1] == (byte)'"')
                    {
                        doubled = true;
                        end += 2;
                        continue;
                    }
                    break;
                }
                pos = end + 1;
                if (pos < line.Length && line[pos] != _delimiter)
                {
                    error = ColumnMalformed("text after the closing quote", column, payload);
                    return false;
                }
                value = doubled ? Undouble(line[start..end], scratch, ref rented) : line[start..end];
            }
            else
            {
                var stop = line[pos..].IndexOfAny(_delimiter, (byte)'"');
                var end = stop < 0 ? line.Length : pos + stop;
                if (end < line.Length && line[end] == (byte)'"')
                {
                    error = ColumnMalformed("quote inside an unquoted field", column, payload);
                    return false;
                }
                value = line[pos..end];
                pos = end;
            }
            if (column < _columns.Length && _columns[column] is { } field)
            {
                record.Text(field, value, quoted);
            }
            column++;
            if (pos >= line.Length)
            {
                break;
            }
            pos++; // the delimiter; a delimiter at the very end opens one more, empty, field
        }
        if (column != _columns.Length)
        {
            error = new DecodeError(DeadLetterReason.WrongArity,
                string.Create(CultureInfo.InvariantCulture, $"{column} columns, expected {_columns.Length}: {DecodeDetail.Text(payload)}"));
            return false;
        }
        return true;
    }

    private static DecodeError ColumnMalformed(string problem, int column, ReadOnlySpan<byte> payload) =>
        DecodeDetail.Malformed(string.Create(CultureInfo.InvariantCulture, $"{problem} in column {column + 1}"), payload);

    /// <summary>A quoted field's content with each doubled quote made single; valid until the next call.</summary>
    private static ReadOnlySpan<byte> Undouble(ReadOnlySpan<byte> content, Span<byte> scratch, scoped ref byte[]? rented)
    {
        Span<byte> target;
        if (content.Length <= scratch.Length)
        {
            target = scratch;
        }
        else
        {
            if (rented is null || rented.Length < content.Length)
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
                rented = ArrayPool<byte>.Shared.Rent(content.Length);
            }
            target = rented;
        }
        var written = 0;
        for (var i = 0; i < content.Length; i++)
        {
            target[written++] = content[i];
            if (content[i] == (byte)'"')
            {
                i++; // the second quote of the pair
            }
        }
        return target[..written];
    }
}
