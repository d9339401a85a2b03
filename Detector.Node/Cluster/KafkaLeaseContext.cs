using Detector.Streams.Kafka;
using Microsoft.Extensions.Logging;

namespace Detector.Node.Cluster;

/// <summary>What a <see cref="KafkaLease"/> (created by Akka from configuration) reads from the host's services.</summary>
/// <param name="Options">The Kafka cluster and the control topic and group the lease uses.</param>
/// <param name="NodeId">This node's id (client ids, log lines).</param>
/// <param name="Loggers">Logging.</param>
public sealed record KafkaLeaseContext(KafkaOptions Options, string NodeId, ILoggerFactory Loggers);
