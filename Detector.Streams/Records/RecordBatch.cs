using Detector.Streams.Records;

namespace Detector.Streams.Records;

/// <summary>
/// A micro-batch travelling through the pipeline: decoded features [Count, FeatureCount], per-row metadata, and, once
/// scored, scores, contribution shares and the model version that scored every row of it. Buffers are allocated once
/// and the batch is recycled through a <see cref="RecordBatchPool"/>; a batch is owned by one stage at a time.
/// </summary>
public sealed class RecordBatch
{
    /// <summary>Allocates buffers for up to capacity rows of featureCount features.</summary>
    public RecordBatch(int capacity, int featureCount)
    {
        Capacity = capacity;
        FeatureCount = featureCount;
        Values = new float[capacity * featureCount];
        Info = new RecordInfo[capacity];
        Positions = new SourcePosition[capacity];
        Payloads = new ReadOnlyMemory<byte>[capacity];
        ReceivedAt = new long[capacity];
        Scores = new float[capacity];
        Contributions = new float[capacity * featureCount];
        Thresholds = new float[capacity];
        Anomalous = new bool[capacity];
    }

    /// <summary>Most rows.</summary>
    public int Capacity { get; }

    /// <summary>Features per row.</summary>
    public int FeatureCount { get; }

    /// <summary>Rows in use.</summary>
    public int Count { get; private set; }

    /// <summary>Whether no more rows fit.</summary>
    public bool IsFull => Count == Capacity;

    /// <summary>Features, row-major.</summary>
    public float[] Values { get; }

    /// <summary>Per-row metadata.</summary>
    public RecordInfo[] Info { get; }

    /// <summary>Per-row source position.</summary>
    public SourcePosition[] Positions { get; }

    /// <summary>Per-row original bytes (kept for dead-lettering rows the model rejects).</summary>
    public ReadOnlyMemory<byte>[] Payloads { get; }

    /// <summary>Per-row arrival time, in <see cref="TimeProvider.GetTimestamp"/> ticks.</summary>
    public long[] ReceivedAt { get; }

    /// <summary>Per-row score, once scored.</summary>
    public float[] Scores { get; }

    /// <summary>Per-row, per-feature share of the error, once scored.</summary>
    public float[] Contributions { get; }

    /// <summary>Per-row threshold the score was judged against, once judged.</summary>
    public float[] Thresholds { get; }

    /// <summary>Per-row verdict (score above its threshold), once judged.</summary>
    public bool[] Anomalous { get; }

    /// <summary>The model version that scored every row (0 before scoring).</summary>
    public long ModelVersion { get; set; }

    /// <summary>Sequence number assigned by the batcher.</summary>
    public long Sequence { get; set; }

    /// <summary>Features of row i.</summary>
    public Span<float> Row(int i) => Values.AsSpan(i * FeatureCount, FeatureCount);

    /// <summary>The row-major features of the rows in use.</summary>
    public ReadOnlySpan<float> Rows => Values.AsSpan(0, Count * FeatureCount);

    /// <summary>Reserves the next row and returns its feature slot; commit it with <see cref="Commit"/>.</summary>
    public Span<float> NextRow() => Row(Count);

    /// <summary>Commits the row written through <see cref="NextRow"/>.</summary>
    public void Commit(in RecordInfo info, SourcePosition position, ReadOnlyMemory<byte> payload, long receivedAt)
    {
        Info[Count] = info;
        Positions[Count] = position;
        Payloads[Count] = payload;
        ReceivedAt[Count] = receivedAt;
        Count++;
    }

    /// <summary>Removes row i, keeping the order of the others.</summary>
    public void RemoveAt(int i)
    {
        var tail = Count - i - 1;
        Values.AsSpan((i + 1) * FeatureCount, tail * FeatureCount).CopyTo(Values.AsSpan(i * FeatureCount));
        Array.Copy(Info, i + 1, Info, i, tail);
        Array.Copy(Positions, i + 1, Positions, i, tail);
        Array.Copy(Payloads, i + 1, Payloads, i, tail);
        Array.Copy(ReceivedAt, i + 1, ReceivedAt, i, tail);
        Count--;
        Payloads[Count] = default;
    }

    /// <summary>Empties the batch for reuse (drops references to payloads and strings).</summary>
    public void Reset()
    {
        Array.Clear(Info, 0, Count);
        Array.Clear(Payloads, 0, Count);
        Count = 0;
        ModelVersion = 0;
        Sequence = 0;
    }
}
