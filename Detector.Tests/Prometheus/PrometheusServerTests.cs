using Xunit;

namespace Detector.Tests.Prometheus;

/// <summary>A real Prometheus server scraping a running node sees the anomaly counter rise and the anomaly-rate alert go pending or fire.</summary>
[Collection(ScoringNodeGroup.Name)]
public sealed class PrometheusServerTests(ScoringNodeFixture node)
{
    [Fact]
    public async Task Prometheus_ScrapingARunningNode_SeesAnomaliesRiseAndTheSpikeAlertActivate()
    {
        await using var prometheus = await PrometheusServer.StartAsync($"{node.Node.Url.Host}:{node.Node.Url.Port}");
        var bound = TimeSpan.FromSeconds(40);

        await PrometheusServer.WaitUntilAsync(async () => await prometheus.QueryScalarAsync("up{job=\"detector\"}") == 1, bound, "the node was not scraped");
        double? first = null;
        await PrometheusServer.WaitUntilAsync(async () => (first = await prometheus.QueryScalarAsync("sum(detector_anomalies_total)")) > 0, bound, "no anomaly was counted");
        await PrometheusServer.WaitUntilAsync(async () => await prometheus.QueryScalarAsync("sum(detector_anomalies_total)") > first, bound, "the anomaly counter did not rise");
        string? state = null;
        await PrometheusServer.WaitUntilAsync(async () => (await prometheus.AlertsAsync()).TryGetValue("DetectorAnomalyRateSpike", out state), bound,
            "DetectorAnomalyRateSpike did not become pending or firing");

        Assert.True(state is "pending" or "firing", state);
        var alerts = await prometheus.AlertsAsync();
        Assert.False(alerts.ContainsKey("DetectorDown"), "a scraped node must not be reported down");
        Assert.False(alerts.ContainsKey("DetectorDeadLetterRate"), "the generator sends no bad records");
        Assert.False(alerts.ContainsKey("DetectorInputLost"), "a node reading a generator loses no input");

        // Prometheus negotiated OpenMetrics, so it kept the anomaly counter's exemplars: record ids a user can look up.
        IReadOnlyList<string> ids = [];
        await PrometheusServer.WaitUntilAsync(async () => (ids = await prometheus.ExemplarLabelsAsync("detector_anomalies_total", "record_id")).Count > 0, bound,
            "no exemplar with a record_id was stored for detector_anomalies_total");
        Assert.All(ids, id => Assert.False(string.IsNullOrWhiteSpace(id)));
    }

    [Fact]
    public void Shorten_ShippedRules_ShortensEveryWindowAndForClause()
    {
        var shortened = PrometheusServer.Shorten(Detector.Tests.Node.RepositoryFiles.Read("deploy/prometheus/rules.yml"));

        Assert.DoesNotMatch(@"\[\d+m\]", shortened);
        Assert.DoesNotMatch(@"for: \d+m", shortened);
        Assert.Contains("rate(detector_anomalies_total[5s])", shortened, StringComparison.Ordinal);
    }
}
