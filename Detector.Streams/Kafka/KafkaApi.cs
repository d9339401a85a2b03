namespace Detector.Streams.Kafka;

/// <summary>Kafka protocol API keys used for fault injection.</summary>
public enum KafkaApi : short
{
    /// <summary>Produce.</summary>
    Produce = 0,

    /// <summary>Fetch.</summary>
    Fetch = 1,

    /// <summary>ListOffsets.</summary>
    ListOffsets = 2,

    /// <summary>Metadata.</summary>
    Metadata = 3,

    /// <summary>OffsetCommit.</summary>
    OffsetCommit = 8,

    /// <summary>OffsetFetch.</summary>
    OffsetFetch = 9,

    /// <summary>FindCoordinator.</summary>
    FindCoordinator = 10,

    /// <summary>JoinGroup.</summary>
    JoinGroup = 11,

    /// <summary>Heartbeat.</summary>
    Heartbeat = 12,

    /// <summary>SyncGroup.</summary>
    SyncGroup = 14,

    /// <summary>InitProducerId (transactional and idempotent producers).</summary>
    InitProducerId = 22,

    /// <summary>AddPartitionsToTxn.</summary>
    AddPartitionsToTxn = 24,

    /// <summary>AddOffsetsToTxn (SendOffsetsToTransaction).</summary>
    AddOffsetsToTxn = 25,

    /// <summary>EndTxn (commit or abort of a transaction).</summary>
    EndTxn = 26,
}
