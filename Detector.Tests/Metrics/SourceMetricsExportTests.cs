using Detector.Streams.Sources;
using Detector.Streams.Telemetry;
using Xunit;

namespace Detector.Tests.Metrics;

/// <summary>A source's status comes out as lag per partition, partitions assigned, and offsets lost to retention.</summary>
public sealed class SourceMetricsExportTests
{
    [Fact]
    public void Scrape_SourceStatus_LagPartitionsAndSkippedOffsets()
    {
        var registry = global::Prometheus.Metrics.NewCustomRegistry();
        var status = new Status { Skipped = 42, Partitions = [new PartitionStatus("in", 3, 100, 7), new PartitionStatus("in", 5, 10, 0)] };
        _ = new SourceMetrics(() => status, registry);

        var lines = Scrape.Lines(registry);
        status.Skipped = 50;
        status.Partitions = [new PartitionStatus("in", 5, 10, 0)];
        var later = Scrape.Lines(registry);

        Assert.Contains("# TYPE detector_source_skipped_offsets_total counter", lines);
        Assert.Contains("detector_source_skipped_offsets_total 42", lines);
        Assert.Contains("detector_source_skipped_offsets_total 50", later);
        Assert.Contains("detector_consumer_lag{partition=\"3\"} 7", lines);
        Assert.Contains("detector_partitions_assigned 2", lines);
        // A revoked partition's lag goes with it, rather than staying at its last value.
        Assert.DoesNotContain(later, l => l.StartsWith("detector_consumer_lag{partition=\"3\"}", StringComparison.Ordinal));
        Assert.Contains("detector_partitions_assigned 1", later);
    }

    [Fact]
    public void Scrape_SourceThatCannotLoseRecords_ReportsZero()
    {
        var registry = global::Prometheus.Metrics.NewCustomRegistry();
        _ = new SourceMetrics(() => new FileLikeStatus(), registry);

        Assert.Contains("detector_source_skipped_offsets_total 0", Scrape.Lines(registry));
    }

    [Fact]
    public void Scrape_NoSourceYet_AnswersWithNoPartitions()
    {
        var registry = global::Prometheus.Metrics.NewCustomRegistry();
        _ = new SourceMetrics(() => null, registry);

        Assert.Contains("detector_partitions_assigned 0", Scrape.Lines(registry));
    }

    private sealed class Status : ISourceStatus
    {
        public long Skipped { get; set; }

        public bool IsAssigned => true;

        public IReadOnlyList<PartitionStatus> Partitions { get; set; } = [];

        public long SkippedOffsets => Skipped;
    }

    /// <summary>Implements only what every source must: the skipped count comes from the interface's default.</summary>
    private sealed class FileLikeStatus : ISourceStatus
    {
        public bool IsAssigned => true;

        public IReadOnlyList<PartitionStatus> Partitions => [];
    }
}
