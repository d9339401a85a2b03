using Detector.Streams.Records;

namespace Detector.Streams.Decoding;

/// <summary>Turns one record's bytes into features (in schema order) and its metadata, or says why it cannot.</summary>
public interface IRecordDecoder
{
    /// <summary>Number of features written per record.</summary>
    int FeatureCount { get; }

    /// <summary>
    /// Decodes payload into features (exactly <see cref="FeatureCount"/> values, all finite) and info. Returns false with
    /// the reason and detail instead of throwing; never throws on any input bytes.
    /// </summary>
    bool TryDecode(ReadOnlySpan<byte> payload, SourcePosition position, Span<float> features, out RecordInfo info, out DecodeError error);
}
