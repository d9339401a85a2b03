using Detector.Streams.Telemetry;

namespace Detector.Node.Metrics;

/// <summary>Which meters the <see cref="PrometheusExporter"/> listens to and how it buckets histograms.</summary>
public sealed record PrometheusExporterOptions
{
    /// <summary>Names of the meters to export; instruments of other meters are ignored.</summary>
    public IReadOnlyList<string> MeterNames { get; init; } = [PipelineMetrics.MeterName];

    /// <summary>Upper bounds for histograms whose unit is "s" (100 µs to 10 s, latency-style).</summary>
    public IReadOnlyList<double> SecondsBuckets { get; init; } =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Upper bounds for all other histograms (powers of two, 1 to 65536), suited to sizes and counts.</summary>
    public IReadOnlyList<double> DefaultBuckets { get; init; } =
        [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];

    /// <summary>Per-instrument upper bounds, keyed by instrument name; these win over the defaults.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> BucketsByInstrument { get; init; } =
        new Dictionary<string, IReadOnlyList<double>>(StringComparer.Ordinal);

    /// <summary>Returns a copy that listens to the given meters.</summary>
    public PrometheusExporterOptions WithMeters(params string[] meterNames) => this with { MeterNames = meterNames };
}
