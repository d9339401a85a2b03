namespace Detector.Streams.Sources;

/// <summary>
/// What a running source reports about itself: whether it has input assigned (a Kafka consumer after its first
/// assignment; a file or generator once reading) and each assigned partition's committed offset and lag. Read from
/// any thread (HTTP requests, metric scrapes), so implementations return a snapshot.
/// </summary>
public interface ISourceStatus
{
    /// <summary>Whether the source has input to read (readiness needs it).</summary>
    bool IsAssigned { get; }

    /// <summary>The partitions assigned now.</summary>
    IReadOnlyList<PartitionStatus> Partitions { get; }

    /// <summary>
    /// Offsets found missing when read (retention deleted them before this node got to them): records never scored.
    /// Zero for a source that cannot lose records.
    /// </summary>
    long SkippedOffsets => 0;
}
