namespace Detector.Streams.Decoding;

/// <summary>
/// The distinct fields of a validated schema, in the order a producer most likely writes them (id, entity, timestamp,
/// label, then the features in model order), shared by the JSON and CSV decoders.
/// </summary>
internal sealed class SchemaLayout
{
    private SchemaLayout(SchemaField[] fields, string[] featureFields, string entityField, string timestampField, int maxRecordBytes)
    {
        Fields = fields;
        FeatureFields = featureFields;
        EntityField = entityField;
        TimestampField = timestampField;
        MaxRecordBytes = maxRecordBytes;
    }

    /// <summary>Distinct fields, in expected order.</summary>
    public SchemaField[] Fields { get; }

    /// <summary>Source field of each feature, in model order (for naming missing features).</summary>
    public string[] FeatureFields { get; }

    /// <summary>Name of the entity-key field.</summary>
    public string EntityField { get; }

    /// <summary>Name of the timestamp field.</summary>
    public string TimestampField { get; }

    /// <summary>Largest accepted payload.</summary>
    public int MaxRecordBytes { get; }

    /// <summary>Number of features per record.</summary>
    public int FeatureCount => FeatureFields.Length;

    /// <summary>Validates <paramref name="options"/> and gathers its fields.</summary>
    public static SchemaLayout From(RecordSchemaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var byName = new Dictionary<string, SchemaField>(StringComparer.Ordinal);
        var order = new List<SchemaField>();
        SchemaField Get(string name)
        {
            if (!byName.TryGetValue(name, out var field))
            {
                field = new SchemaField(name);
                byName.Add(name, field);
                order.Add(field);
            }
            return field;
        }

        if (options.IdField is { } id)
        {
            Get(id).IsId = true;
        }
        Get(options.EntityField).IsEntity = true;
        Get(options.TimestampField).IsTimestamp = true;
        if (options.LabelField is { } label)
        {
            Get(label).IsLabel = true;
        }
        var featureFields = new string[options.Features.Count];
        for (var i = 0; i < featureFields.Length; i++)
        {
            var field = Get(options.Features[i].SourceField);
            field.Features = [.. field.Features, i];
            featureFields[i] = field.Name;
        }
        foreach (var field in order)
        {
            field.Complete();
        }
        return new SchemaLayout([.. order], featureFields, options.EntityField, options.TimestampField, options.MaxRecordBytes);
    }
}
