namespace Detector.Streams.Decoding;

/// <summary>
/// How input records map to model features, from configuration: the feature fields in model order, the entity-key,
/// timestamp, optional id and optional label fields, the format, and the size limit.
/// </summary>
public sealed record RecordSchemaOptions
{
    /// <summary>JSON or CSV.</summary>
    public RecordFormat Format { get; init; } = RecordFormat.Json;

    /// <summary>Features in model order.</summary>
    public IReadOnlyList<FeatureField> Features { get; init; } = [];

    /// <summary>Field holding the entity key (card, vehicle, host).</summary>
    public string EntityField { get; init; } = "entity";

    /// <summary>Field holding the event time: ISO-8601 text, or a number of Unix milliseconds.</summary>
    public string TimestampField { get; init; } = "timestamp";

    /// <summary>Optional field holding a record id; without it the id is "partition:offset".</summary>
    public string? IdField { get; init; }

    /// <summary>Optional ground-truth field (true/false, 1/0); absent in production streams.</summary>
    public string? LabelField { get; init; }

    /// <summary>CSV: the column names, in order (when the stream has no header line).</summary>
    public IReadOnlyList<string> CsvColumns { get; init; } = [];

    /// <summary>CSV: the delimiter.</summary>
    public char CsvDelimiter { get; init; } = ',';

    /// <summary>Records larger than this many bytes are dead-lettered as oversized.</summary>
    public int MaxRecordBytes { get; init; } = 64 * 1024;

    /// <summary>Throws naming the first invalid key, its value and what is allowed.</summary>
    public RecordSchemaOptions Validate()
    {
        if (Features.Count == 0)
        {
            throw new ArgumentException("Schema:Features is empty; list at least one feature field");
        }
        if (!Enum.IsDefined(Format))
        {
            throw new ArgumentOutOfRangeException(nameof(Format), Format, $"Schema:Format = {Format} is invalid; allowed: Json, Csv");
        }
        if (MaxRecordBytes < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRecordBytes), MaxRecordBytes, $"Schema:MaxRecordBytes = {MaxRecordBytes} is invalid; allowed: >= 16");
        }
        if (string.IsNullOrWhiteSpace(EntityField) || string.IsNullOrWhiteSpace(TimestampField))
        {
            throw new ArgumentException("Schema:EntityField and Schema:TimestampField must name fields");
        }
        var duplicate = Features.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Schema:Features names '{duplicate.Key}' more than once");
        }
        if (Format == RecordFormat.Csv)
        {
            var missing = Features.Select(f => f.SourceField).Append(EntityField).Append(TimestampField)
                .Concat(new[] { IdField, LabelField }.OfType<string>())
                .Where(f => !CsvColumns.Contains(f, StringComparer.Ordinal)).ToArray();
            if (missing.Length > 0)
            {
                throw new ArgumentException($"Schema:CsvColumns lacks the fields [{string.Join(", ", missing)}]; columns are [{string.Join(", ", CsvColumns)}]");
            }
        }
        return this;
    }
}
