using System.Globalization;
using Detector.Streams.Sources;
using Prometheus;

namespace Detector.Streams.Telemetry;

/// <summary>
/// A node's source metrics, declared in the node's registry: consumer lag per partition, partitions assigned,
/// offsets lost to retention before they were read, and a transactional source's transactions by outcome. Read from an <see cref="ISourceStatus"/> just before each scrape, so
/// a Kafka source only keeps its status current; a revoked partition's lag series disappears with it.
/// </summary>
public sealed class SourceMetrics
{
    /// <summary>Declares the metrics in <paramref name="registry"/>; <paramref name="status"/> is read at every scrape (null: no source yet).</summary>
    public SourceMetrics(Func<ISourceStatus?> status, CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(registry);
        var factory = Metrics.WithCustomRegistry(registry);
        var lag = new LabelledGaugeMirror(factory.CreateGauge("detector_consumer_lag", "Records behind the end of each assigned input partition.", ["partition"]));
        var assigned = factory.CreateGauge("detector_partitions_assigned", "Input partitions assigned to this node.");
        var skipped = factory.CreateCounter("detector_source_skipped_offsets_total", "Input offsets found missing when read (deleted by retention first): records never scored.");
        var transactions = factory.CreateCounter("detector_kafka_transactions_total",
            "Kafka:Guarantee = ExactlyOnce: transactions by outcome (committed; aborted, their records read again; fenced, the node stops).", ["outcome"]);
        registry.AddBeforeCollectCallback(() =>
        {
            var current = status();
            var partitions = current?.Partitions ?? [];
            lag.Mirror(partitions.Select(p => (new[] { p.Partition.ToString(CultureInfo.InvariantCulture) }, (double)p.Lag)));
            assigned.Set(partitions.Count);
            skipped.IncTo(current?.SkippedOffsets ?? 0);
            if (current is ITransactionStatus { } counts)
            {
                transactions.WithLabels("committed").IncTo(counts.TransactionsCommitted);
                transactions.WithLabels("aborted").IncTo(counts.TransactionsAborted);
                transactions.WithLabels("fenced").IncTo(counts.TransactionsFenced);
            }
        });
    }
}
