using System.Globalization;
using System.Text.Json;
using Detector.Streams.Decoding;
using Detector.Streams.Generators;

namespace Detector.Tests.Generators;

/// <summary>A generated payload read back through JsonDocument, the way a test wants to look at it.</summary>
internal sealed class ParsedRecord
{
    private ParsedRecord(GeneratedRecord record, string id, string entity, DateTimeOffset time, int label, string scenario,
        string? faultSensor, Dictionary<string, double> features)
    {
        Record = record;
        Id = id;
        Entity = entity;
        Time = time;
        Label = label;
        Scenario = scenario;
        FaultSensor = faultSensor;
        Features = features;
    }

    public GeneratedRecord Record { get; }

    public string Id { get; }

    public string Entity { get; }

    public DateTimeOffset Time { get; }

    public int Label { get; }

    public string Scenario { get; }

    public string? FaultSensor { get; }

    public Dictionary<string, double> Features { get; }

    public double this[string feature] => Features[feature];

    /// <summary>Parses one payload; throws (failing the test) where a schema field is missing or of the wrong kind.</summary>
    public static ParsedRecord Parse(GeneratedRecord record, RecordSchemaOptions schema)
    {
        using var document = JsonDocument.Parse(record.Payload);
        var root = document.RootElement;
        var features = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var field in schema.Features)
        {
            features[field.Name] = root.GetProperty(field.SourceField).GetDouble();
        }
        var time = DateTimeOffset.Parse(root.GetProperty(schema.TimestampField).GetString()!, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal);
        var faultSensor = root.TryGetProperty("fault_sensor", out var sensor) ? sensor.GetString() : null;
        return new ParsedRecord(record, root.GetProperty(schema.IdField!).GetString()!, root.GetProperty(schema.EntityField).GetString()!,
            time, root.GetProperty(schema.LabelField!).GetInt32(), root.GetProperty("scenario").GetString()!, faultSensor, features);
    }

    /// <summary>The next <paramref name="count"/> records of <paramref name="generator"/>, parsed.</summary>
    public static List<ParsedRecord> Take(IRecordGenerator generator, int count)
    {
        var records = new List<ParsedRecord>(count);
        for (var i = 0; i < count; i++)
        {
            records.Add(Parse(generator.Next(), generator.Schema));
        }
        return records;
    }
}
