namespace Detector.Streams.Decoding;

/// <summary>Maps one input field to one model feature.</summary>
/// <param name="Name">Feature name in the model schema.</param>
/// <param name="Field">Field in the record (JSON property or CSV column); defaults to the feature name.</param>
public sealed record FeatureField(string Name, string? Field = null)
{
    /// <summary>The field actually read.</summary>
    public string SourceField => Field ?? Name;
}
