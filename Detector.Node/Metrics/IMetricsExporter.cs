namespace Detector.Node.Metrics;

/// <summary>
/// Renders the current state of the process's metrics for a scraper. One method, so that an exporter such as
/// prometheus-net can replace the built-in one without touching callers.
/// </summary>
public interface IMetricsExporter
{
    /// <summary>Collects observable instruments and writes every metric family to <paramref name="writer"/>.</summary>
    void WriteTo(TextWriter writer);
}
