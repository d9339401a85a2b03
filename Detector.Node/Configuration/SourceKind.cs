namespace Detector.Node.Configuration;

/// <summary>Where a node's records come from.</summary>
public enum SourceKind
{
    /// <summary>An embedded generator (card transactions or fleet telemetry), optionally paced.</summary>
    Generator = 1,

    /// <summary>A file of JSON lines or CSV.</summary>
    File = 2,

    /// <summary>The input topic of a Kafka cluster (the <c>Kafka</c> section).</summary>
    Kafka = 3,
}
