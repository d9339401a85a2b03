using Detector.Node.Configuration;
using Detector.Node.Hosting;
using Detector.Streams.Kafka;

namespace Detector.Node.Kafka;

/// <summary>The Kafka source and sinks of `detector run`, built on the node's <see cref="KafkaCluster"/> membership.</summary>
public static class KafkaComponents
{
    /// <summary>Registers <c>kafka</c> as a source kind and as an alert and dead-letter sink kind.</summary>
    public static NodeComponents WithKafka(this NodeComponents components)
    {
        ArgumentNullException.ThrowIfNull(components);
        return components
            .WithSource(SourceKind.Kafka, (context, _) => Cluster(context).CreateSource())
            .WithAlertSink(SinkKind.Kafka, context => Cluster(context).CreateAlertSink())
            .WithDeadLetterSink(SinkKind.Kafka, context => Cluster(context).CreateDeadLetterSink());
    }

    private static KafkaCluster Cluster(NodeContext context) =>
        context.Cluster ?? throw new InvalidOperationException("a Kafka component was requested but the node has no Kafka cluster membership");
}
