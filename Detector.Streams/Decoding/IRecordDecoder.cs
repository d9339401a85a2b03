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

    /// <summary>
    /// True when <see cref="TryDecode"/> may run on several threads at once and each record's result depends on that
    /// record alone: the pipeline then decodes chunks of records in parallel. False (the default) for a decoder with
    /// state across records, which sees every record once, in source order.
    /// </summary>
    bool IsThreadSafe => false;
}
