using Detector.Streams.Records;

namespace Detector.Streams.Sources;

/// <summary>Where records come from: chunks in source order, and acknowledgements back once they are fully handled.</summary>
public interface IRecordSource
{
    /// <summary>Reads chunks of records until the source ends or the token fires.</summary>
    IAsyncEnumerable<IReadOnlyList<RawRecord>> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Every record of the partition up to and including the offset is handled (commit point).</summary>
    void Acknowledge(SourcePosition position);
}
