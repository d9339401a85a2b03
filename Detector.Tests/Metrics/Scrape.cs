using System.Text;
using Prometheus;

namespace Detector.Tests.Metrics;

/// <summary>What a scrape of a registry returns, as lines, in either exposition format.</summary>
internal static class Scrape
{
    public static string[] Lines(CollectorRegistry registry, ExpositionFormat format = ExpositionFormat.PrometheusText)
    {
        using var stream = new MemoryStream();
        registry.CollectAndExportAsTextAsync(stream, format).GetAwaiter().GetResult();
        return Encoding.UTF8.GetString(stream.ToArray()).Split('\n');
    }
}
