using Detector.Streams.Pipeline;
using Detector.Streams.Sources;
using Detector.Streams.Telemetry;
using Prometheus;

namespace Detector.Node.Metrics;

/// <summary>What a node serves at /metrics: its pipeline's registry, with the source's metrics and prometheus-net's process and runtime metrics added.</summary>
public static class NodeMetrics
{
    /// <summary>
    /// Adds the source metrics (read from <paramref name="source"/> at each scrape) and prometheus-net's
    /// <see cref="DotNetStats"/> (process CPU seconds, working set and virtual memory, open handles, threads, GC
    /// collections, managed heap) to the pipeline's registry, and returns it. prometheus-net's EventCounter and Meter
    /// adapters are not used: the first exports names that fail `promtool check metrics`, the second exported a
    /// Counter&lt;T&gt; as a gauge without `_total` (see the README); the node's own metrics are prometheus-net's types.
    /// </summary>
    public static CollectorRegistry For(DetectorPipeline pipeline, Func<ISourceStatus?> source)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var registry = pipeline.Metrics.Registry;
        _ = new SourceMetrics(source, registry);
        DotNetStats.Register(registry);
        return registry;
    }
}
