namespace Detector.Streams.Records;

/// <summary>Where a record came from: a partition of its source and the offset within it (what gets acknowledged).</summary>
/// <param name="Partition">Partition (0 for unpartitioned sources such as a file).</param>
/// <param name="Offset">Offset within the partition, increasing by at least one per record.</param>
public readonly record struct SourcePosition(int Partition, long Offset);
