using System.Diagnostics.Metrics;
using Detector.Streams.Sources;

namespace Detector.Streams.Telemetry;

/// <summary>
/// Gauges of a node's source on meter "Detector": consumer lag per partition and partitions assigned. Read from an
/// <see cref="ISourceStatus"/> at each scrape, so a Kafka source only keeps its status current.
/// </summary>
public sealed class SourceMetrics : IDisposable
{
    private readonly Meter _meter;

    /// <summary>Creates the gauges over <paramref name="status"/>, which is read at every collection.</summary>
    public SourceMetrics(Func<ISourceStatus?> status)
    {
        ArgumentNullException.ThrowIfNull(status);
        _meter = new Meter(PipelineMetrics.MeterName);
        _meter.CreateObservableGauge("detector_consumer_lag", () => (status()?.Partitions ?? []).Select(p =>
            new Measurement<long>(p.Lag, new KeyValuePair<string, object?>("partition", p.Partition))),
            "{record}", "Records behind the end of each assigned input partition.");
        _meter.CreateObservableGauge("detector_partitions_assigned", () => (long)(status()?.Partitions.Count ?? 0),
            "{partition}", "Input partitions assigned to this node.");
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
