using Detector.Node.Metrics;
using Detector.Streams.Sources;
using Detector.Streams.Telemetry;
using Xunit;

namespace Detector.Tests.Metrics;

/// <summary>A source's status comes out as lag per partition, partitions assigned, and offsets lost to retention.</summary>
public sealed class SourceMetricsExportTests
{
    [Fact]
    public void WriteTo_SourceStatus_LagPartitionsAndSkippedOffsets()
    {
        var meter = $"source-metrics-test-{Guid.NewGuid():N}";
        using var exporter = new PrometheusExporter(new PrometheusExporterOptions().WithMeters(meter));
        var status = new Status { Skipped = 42, Partitions = [new PartitionStatus("in", 3, 100, 7), new PartitionStatus("in", 5, 10, 0)] };
        using var metrics = new SourceMetrics(() => status, meter);

        var lines = Scrape(exporter);
        status.Skipped = 50;
        var later = Scrape(exporter);

        Assert.Contains("# TYPE detector_source_skipped_offsets_total counter", lines);
        Assert.Contains("detector_source_skipped_offsets_total 42", lines);
        Assert.Contains("detector_source_skipped_offsets_total 50", later);
        Assert.Contains("detector_consumer_lag{partition=\"3\"} 7", lines);
        Assert.Contains("detector_partitions_assigned 2", lines);
    }

    [Fact]
    public void WriteTo_SourceThatCannotLoseRecords_ReportsZero()
    {
        var meter = $"source-metrics-test-{Guid.NewGuid():N}";
        using var exporter = new PrometheusExporter(new PrometheusExporterOptions().WithMeters(meter));
        using var metrics = new SourceMetrics(() => new FileLikeStatus(), meter);

        Assert.Contains("detector_source_skipped_offsets_total 0", Scrape(exporter));
    }

    private static string[] Scrape(PrometheusExporter exporter)
    {
        using var writer = new StringWriter();
        exporter.WriteTo(writer);
        return writer.ToString().Split('\n');
    }

    private sealed class Status : ISourceStatus
    {
        public long Skipped { get; set; }

        public bool IsAssigned => true;

        public IReadOnlyList<PartitionStatus> Partitions { get; init; } = [];

        public long SkippedOffsets => Skipped;
    }

    /// <summary>Implements only what every source must: the skipped count comes from the interface's default.</summary>
    private sealed class FileLikeStatus : ISourceStatus
    {
        public bool IsAssigned => true;

        public IReadOnlyList<PartitionStatus> Partitions => [];
    }
}
