using System.Text.Json.Serialization;

namespace Detector.Node.Bench;

/// <summary>One benchmark result, in the JSON shape the PyTorch reference prints.</summary>
public sealed record BenchLine(
    [property: JsonPropertyName("impl")] string Implementation,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("batch")] int Batch,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("records_per_s")] double RecordsPerSecond);

/// <summary>Source-generated serializer (no reflection).</summary>
[JsonSerializable(typeof(BenchLine))]
internal sealed partial class BenchJson : JsonSerializerContext;
