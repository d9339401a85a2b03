using System.Collections.Concurrent;

namespace Detector.Streams.Records;

/// <summary>Recycles batches so the steady state allocates no batch buffers.</summary>
public sealed class RecordBatchPool(int capacity, int featureCount)
{
    /// <summary>Batches returned and not yet rented again.</summary>
    private readonly ConcurrentBag<RecordBatch> _free = [];

    /// <summary>Rows per batch.</summary>
    public int BatchCapacity => capacity;

    /// <summary>An empty batch.</summary>
    public RecordBatch Rent() => _free.TryTake(out var batch) ? batch : new RecordBatch(capacity, featureCount);

    /// <summary>Gives a batch back once its last stage is done with it.</summary>
    public void Return(RecordBatch batch)
    {
        batch.Reset();
        _free.Add(batch);
    }
}
