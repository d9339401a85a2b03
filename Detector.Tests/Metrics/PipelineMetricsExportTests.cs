using Detector.Node.Metrics;
using Detector.Streams.DeadLetters;
using Detector.Streams.Telemetry;
using Xunit;

namespace Detector.Tests.Metrics;

/// <summary>The pipeline's real instruments come out under the conventional Prometheus names.</summary>
public sealed class PipelineMetricsExportTests
{
    [Fact]
    public void WriteTo_PipelineMetrics_UsesConventionalFamilyNames()
    {
        // Meter "Detector" is shared with pipeline tests that may run in parallel, so only names and types are asserted.
        using var exporter = new PrometheusExporter();
        using var metrics = new PipelineMetrics(() => 0.5, () => 3, () => 12, () => new Dictionary<string, long> { ["model"] = 1 }, () => 0.1);
        metrics.RecordsConsumed(10);
        metrics.DeadLetter(Enum.GetValues<DeadLetterReason>()[0]);
        metrics.BatchScored(10, TimeSpan.FromMilliseconds(2));
        metrics.EndToEnd(TimeSpan.FromMilliseconds(5));

        using var writer = new StringWriter();
        exporter.WriteTo(writer);
        var lines = writer.ToString().Split('\n');

        Assert.Contains("# TYPE detector_records_consumed_total counter", lines);
        Assert.Contains("# TYPE detector_records_dead_lettered_total counter", lines);
        Assert.Contains("# TYPE detector_batch_size histogram", lines);
        Assert.Contains("# TYPE detector_scoring_latency_seconds histogram", lines);
        Assert.Contains("# TYPE detector_end_to_end_latency_seconds histogram", lines);
        Assert.Contains("# TYPE detector_threshold gauge", lines);
        Assert.Contains("# TYPE detector_model_age_seconds gauge", lines);
        Assert.Contains("# TYPE detector_mailbox_depth gauge", lines);
        Assert.Contains(lines, l => l.StartsWith("detector_threshold{stream=\"default\"} ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("detector_mailbox_depth{actor=\"model\"} ", StringComparison.Ordinal));
    }
}
