using Detector.Models.Validation;

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
        OptionCheck.Require(Features.Count > 0, nameof(Features), Features.Select(f => f.Name), "at least one feature field");
        OptionCheck.Require(Enum.IsDefined(Format), nameof(Format), Format, "Json, Csv");
        OptionCheck.Require(MaxRecordBytes >= 16, nameof(MaxRecordBytes), MaxRecordBytes, ">= 16");
        OptionCheck.Require(!string.IsNullOrWhiteSpace(EntityField), nameof(EntityField), EntityField, "a field name");
        OptionCheck.Require(!string.IsNullOrWhiteSpace(TimestampField), nameof(TimestampField), TimestampField, "a field name");
        for (var i = 0; i < Features.Count; i++)
        {
            OptionCheck.Require(!string.IsNullOrWhiteSpace(Features[i].Name), $"{nameof(Features)}:{i}:{nameof(FeatureField.Name)}", Features[i].Name, "a feature name");
        }
        var duplicate = Features.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        OptionCheck.Require(duplicate is null, nameof(Features), Features.Select(f => f.Name), $"distinct names ('{duplicate?.Key}' appears more than once)");
        if (Format == RecordFormat.Csv)
        {
            var missing = Features.Select(f => f.SourceField).Append(EntityField).Append(TimestampField)
                .Concat(new[] { IdField, LabelField }.OfType<string>())
                .Where(f => !CsvColumns.Contains(f, StringComparer.Ordinal)).ToArray();
            OptionCheck.Require(missing.Length == 0, nameof(CsvColumns), CsvColumns, $"a list naming every field the schema reads (missing [{string.Join(", ", missing)}])");
        }
        return this;
    }
}
