using Detector.Streams.Pipeline;
using Detector.Streams.Sources;
using Detector.Streams.Telemetry;
using Prometheus;

namespace Detector.Node.Metrics;

/// <summary>What a node serves at /metrics: its pipeline's registry, with the source's metrics and prometheus-net's process and runtime metrics added.</summary>
public static class NodeMetrics
{
    /// <summary>
    /// Adds the source metrics (read from <paramref name="source"/> at each scrape), prometheus-net's
    /// <see cref="DotNetStats"/> (process CPU seconds, working set and virtual memory, open handles, threads, GC
    /// collections, managed heap) and the thread pool's threads, queue and completed items to the pipeline's registry,
    /// and returns it. prometheus-net's own adapters are not used: its EventCounter adapter (the only source of thread
    /// pool figures in the library) exports gauges named `…_count` and a non-counter `…_total`, which fail
    /// `promtool check metrics` (checked with prometheus-net 8.2.1); its Meter adapter exported a Counter&lt;T&gt; as a
    /// gauge without `_total`. Every metric here is a prometheus-net Counter, Gauge or Histogram.
    /// </summary>
    public static CollectorRegistry For(DetectorPipeline pipeline, Func<ISourceStatus?> source)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var registry = pipeline.Metrics.Registry;
        _ = new SourceMetrics(source, registry);
        DotNetStats.Register(registry);
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        var threads = factory.CreateGauge("dotnet_threadpool_threads", "Thread pool threads.");
        var queued = factory.CreateGauge("dotnet_threadpool_queue_length", "Work items queued to the thread pool, not yet started.");
        var completed = factory.CreateCounter("dotnet_threadpool_completed_items_total", "Work items the thread pool has completed.");
        registry.AddBeforeCollectCallback(() =>
        {
            threads.Set(ThreadPool.ThreadCount);
            queued.Set(ThreadPool.PendingWorkItemCount);
            completed.IncTo(ThreadPool.CompletedWorkItemCount);
        });
        return registry;
    }
}
