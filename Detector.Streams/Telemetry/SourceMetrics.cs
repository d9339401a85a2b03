using System.Diagnostics.Metrics;
using Detector.Streams.Sources;

namespace Detector.Streams.Telemetry;

/// <summary>
/// Instruments of a node's source on meter "Detector": consumer lag per partition, partitions assigned, and offsets
/// lost to retention before they were read. Read from an
/// <see cref="ISourceStatus"/> at each scrape, so a Kafka source only keeps its status current.
/// </summary>
public sealed class SourceMetrics : IDisposable
{
    private readonly Meter _meter;

    /// <summary>Creates the instruments over <paramref name="status"/>, which is read at every collection (meter name: "Detector" unless given).</summary>
    public SourceMetrics(Func<ISourceStatus?> status, string meterName = PipelineMetrics.MeterName)
    {
        ArgumentNullException.ThrowIfNull(status);
        _meter = new Meter(meterName);
        _meter.CreateObservableGauge("detector_consumer_lag", () => (status()?.Partitions ?? []).Select(p =>
            new Measurement<long>(p.Lag, new KeyValuePair<string, object?>("partition", p.Partition))),
            "{record}", "Records behind the end of each assigned input partition.");
        _meter.CreateObservableGauge("detector_partitions_assigned", () => (long)(status()?.Partitions.Count ?? 0),
            "{partition}", "Input partitions assigned to this node.");
        _meter.CreateObservableCounter("detector_source_skipped_offsets", () => status()?.SkippedOffsets ?? 0,
            "{record}", "Input offsets found missing when read (deleted by retention first): records never scored.");
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
