namespace Detector.Streams.Kafka;

/// <summary>What a consumer of the alerts topic can count on.</summary>
public enum KafkaGuarantee
{
    /// <summary>Every record's alerts are written; after a failure some may be written twice.</summary>
    AtLeastOnce,

    /// <summary>
    /// Alerts, dead letters and the input offsets they cover are committed in one transaction per input partition and
    /// commit interval: a `read_committed` reader of the alerts topic sees each alert once.
    /// </summary>
    ExactlyOnce,
}
