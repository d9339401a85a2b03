using Detector.Streams.Records;

namespace Detector.Streams.Sources;

/// <summary>
/// An in-process source whose records are already features (a replayed table, a simulator): it fills batches rented
/// from the pipeline's pool directly, skipping the byte decoding a wire source needs.
/// </summary>
public interface IBatchSource
{
    /// <summary>Fills and yields batches (rented from pool) until the source ends or the token fires.</summary>
    IAsyncEnumerable<RecordBatch> ReadAsync(RecordBatchPool pool, CancellationToken cancellationToken);

    /// <summary>Every record of the partition up to and including the offset is handled.</summary>
    void Acknowledge(SourcePosition position);
}
