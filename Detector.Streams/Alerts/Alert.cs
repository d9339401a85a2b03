using System.Text.Json;
using Detector.Streams.Records;

namespace Detector.Streams.Alerts;

/// <summary>An anomaly worth telling someone about.</summary>
/// <param name="RecordId">The record's id.</param>
/// <param name="EntityKey">Card, vehicle or host.</param>
/// <param name="Timestamp">Event time of the record.</param>
/// <param name="Score">The record's anomaly score.</param>
/// <param name="Threshold">The threshold it exceeded.</param>
/// <param name="ModelVersion">The model version that scored it.</param>
/// <param name="TopFeatures">The features with the largest share of the error, largest first.</param>
/// <param name="Label">Ground truth, when the stream carries it (demo and evaluation).</param>
public sealed record Alert(string RecordId, string EntityKey, DateTimeOffset Timestamp, float Score, float Threshold,
    long ModelVersion, IReadOnlyList<AlertFeature> TopFeatures, bool? Label)
{
    /// <summary>
    /// Where the record that raised it came from (pipeline partition and offset), when known: an exactly-once Kafka
    /// sink writes the alert into the transaction of that record's input partition. Not part of the alert's JSON.
    /// </summary>
    public SourcePosition? Position { get; init; }

    /// <summary>Writes the alert as one JSON object (no reflection).</summary>
    public void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("record_id", RecordId);
        w.WriteString("entity", EntityKey);
        w.WriteString("timestamp", Timestamp);
        w.WriteNumber("score", Score);
        w.WriteNumber("threshold", Threshold);
        w.WriteNumber("model_version", ModelVersion);
        w.WriteStartArray("top_features");
        foreach (var f in TopFeatures)
        {
            w.WriteStartObject();
            w.WriteString("name", f.Name);
            w.WriteNumber("contribution", f.Contribution);
            w.WriteNumber("value", f.Value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (Label is { } label)
        {
            w.WriteBoolean("label", label);
        }
        w.WriteEndObject();
    }
}
