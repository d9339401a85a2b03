namespace Detector.Node.Configuration;

/// <summary>Where alerts or dead letters go.</summary>
public enum SinkKind
{
    /// <summary>JSON lines appended to a file.</summary>
    File = 1,

    /// <summary>JSON lines on standard output.</summary>
    Stdout = 2,

    /// <summary>A Kafka topic (the <c>Kafka</c> section names it).</summary>
    Kafka = 3,
}
