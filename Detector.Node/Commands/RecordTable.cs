using System.Text;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Records;

namespace Detector.Node.Commands;

/// <summary>
/// A file of records (JSON lines, or CSV whose first line names the columns) decoded into a feature table for the
/// offline commands. Records that do not decode are kept as dead letters with their line and reason, never dropped.
/// </summary>
public sealed class RecordTable
{
    private RecordTable(float[] rows, int count, int features, RecordInfo[] info, IReadOnlyList<DeadLetter> rejected)
    {
        Rows = rows;
        Count = count;
        Features = features;
        Info = info;
        Rejected = rejected;
    }

    /// <summary>Features, row-major [Count, Features].</summary>
    public float[] Rows { get; }

    /// <summary>Rows decoded.</summary>
    public int Count { get; }

    /// <summary>Features per row.</summary>
    public int Features { get; }

    /// <summary>Each row's id, entity, timestamp and label.</summary>
    public RecordInfo[] Info { get; }

    /// <summary>Lines that did not decode (line number as offset).</summary>
    public IReadOnlyList<DeadLetter> Rejected { get; }

    /// <summary>
    /// Reads <paramref name="path"/> with <paramref name="schema"/>. A .csv file is read as CSV: its first line names the
    /// columns (unless the schema lists them and the line differs) and is skipped.
    /// </summary>
    public static RecordTable Read(string path, RecordSchemaOptions schema, long maxRows = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(schema);
        using var reader = new StreamReader(path, Encoding.UTF8);
        var skipFirst = false;
        if (string.Equals(Path.GetExtension(path), ".csv", StringComparison.OrdinalIgnoreCase))
        {
            var header = reader.ReadLine() ?? "";
            var columns = header.Split(schema.CsvDelimiter).Select(c => c.Trim().Trim('"')).ToArray();
            skipFirst = schema.CsvColumns.Count == 0 || schema.CsvColumns.SequenceEqual(columns, StringComparer.Ordinal);
            schema = schema with { Format = RecordFormat.Csv, CsvColumns = schema.CsvColumns.Count > 0 ? schema.CsvColumns : columns };
            if (!skipFirst)
            {
                reader.BaseStream.Position = 0;
                reader.DiscardBufferedData();
            }
        }
        IEnumerable<(byte[] Payload, long Line)> Lines()
        {
            long line = skipFirst ? 0 : -1;
            while (reader.ReadLine() is { } text)
            {
                line++;
                if (text.Length > 0)
                {
                    yield return (Encoding.UTF8.GetBytes(text), line);
                }
            }
        }

        return Decode(Lines(), schema, maxRows);
    }

    /// <summary>
    /// Decodes records already read (payload and line number each) with <paramref name="schema"/>; labels, when given,
    /// replace the records' own (a file whose labels were read apart from the decoder, as `evaluate` reads them).
    /// </summary>
    public static RecordTable Decode(IEnumerable<(byte[] Payload, long Line)> records, RecordSchemaOptions schema, long maxRows = long.MaxValue,
        IReadOnlyList<bool>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var decoder = RecordDecoder.Create(schema);
        var features = decoder.FeatureCount;
        var rows = new List<float>(1 << 16);
        var info = new List<RecordInfo>(1 << 12);
        var rejected = new List<DeadLetter>();
        var row = new float[features];
        var index = -1;
        foreach (var (payload, line) in records)
        {
            index++;
            if (info.Count >= maxRows)
            {
                break;
            }
            var position = new SourcePosition(0, line);
            if (decoder.TryDecode(payload, position, row, out var record, out var error))
            {
                rows.AddRange(row);
                info.Add(labels is null ? record : record with { Label = labels[index] });
            }
            else
            {
                rejected.Add(new DeadLetter(payload, position, error.Reason, error.Detail));
            }
        }
        return new RecordTable(rows.ToArray(), info.Count, features, info.ToArray(), rejected);
    }
}
