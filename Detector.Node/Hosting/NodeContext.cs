using Detector.Node.Configuration;
using Detector.Streams.Decoding;
using Detector.Streams.Kafka;
using Microsoft.Extensions.Logging;

namespace Detector.Node.Hosting;

/// <summary>What source and sink factories get: the validated options, the decoding schema, logging, the node's state and clock.</summary>
/// <param name="Options">The node's validated options (the factory reads its own section, e.g. <c>Kafka</c>).</param>
/// <param name="Schema">The schema records are decoded with.</param>
/// <param name="Loggers">Logger factory (structured, text or JSON).</param>
/// <param name="State">The node's state: a source sets <see cref="NodeState.Role"/>, readiness checks and status fields here.</param>
/// <param name="Time">The clock.</param>
public sealed record NodeContext(NodeOptions Options, RecordSchemaOptions Schema, ILoggerFactory Loggers, NodeState State, TimeProvider Time)
{
    /// <summary>The node's Kafka cluster membership (producer, consumer, election, broadcast), when any source or sink is Kafka.</summary>
    public KafkaCluster? Cluster { get; init; }
}
