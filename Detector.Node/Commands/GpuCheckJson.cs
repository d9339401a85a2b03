using System.Text.Json.Serialization;

namespace Detector.Node.Commands;

/// <summary>Source-generated serializer for the strings of `gpu-check` lines (no reflection).</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class GpuCheckJson : JsonSerializerContext;
