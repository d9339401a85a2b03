using Detector.Streams.Telemetry;

namespace Detector.Node.Metrics;

/// <summary>The exporter settings a node serves /metrics with.</summary>
public static class NodeExporterOptions
{
    /// <summary>Score buckets from 0.001 to 5000 in 1-2-5 steps: reconstruction errors span orders of magnitude.</summary>
    public static IReadOnlyList<double> ScoreBuckets { get; } =
        Enumerable.Range(-3, 7).SelectMany(e => new[] { 1.0, 2.0, 5.0 }.Select(m => Math.Round(m * Math.Pow(10, e), 6))).ToArray();

    /// <summary>The default exporter options with score-shaped buckets for <see cref="PipelineMetrics.ScoreInstrument"/>.</summary>
    public static PrometheusExporterOptions Default { get; } = new()
    {
        BucketsByInstrument = new Dictionary<string, IReadOnlyList<double>>(StringComparer.Ordinal) { [PipelineMetrics.ScoreInstrument] = ScoreBuckets },
    };
}
