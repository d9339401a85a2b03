using Detector.Tests.Node;
using Xunit;

namespace Detector.Tests.Prometheus;

/// <summary>promtool on the shipped rules, their unit tests, and a live scrape of a running node.</summary>
[Collection(ScoringNodeGroup.Name)]
public sealed class PromtoolTests(ScoringNodeFixture node)
{
    private static string PrometheusFolder => RepositoryFiles.PathOf("deploy/prometheus");

    [Fact]
    public async Task CheckRules_ShippedAlertingRules_AreValid()
    {
        var (code, output) = await PrometheusTools.RunPromtoolAsync(PrometheusFolder, null, "check", "rules", "rules.yml");

        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS: 6 rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestRules_ShippedRuleUnitTests_Pass()
    {
        var (code, output) = await PrometheusTools.RunPromtoolAsync(PrometheusFolder, null, "test", "rules", "rules.test.yml");

        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckMetrics_LiveScrapeOfARunningNode_HasNoProblems()
    {
        var scrape = await node.ScrapeAsync();

        var (code, output) = await PrometheusTools.RunPromtoolAsync(PrometheusFolder, scrape, "check", "metrics");

        Assert.True(code == 0 && output.Trim().Length == 0, $"promtool check metrics:\n{output}\n--- scrape ---\n{scrape}");
        Assert.Contains("detector_records_scored_total", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckMetrics_CounterWithoutTotalSuffix_IsReported()
    {
        // The check above is only worth something if promtool does flag a convention break.
        const string bad = "# HELP detector_things Things.\n# TYPE detector_things counter\ndetector_things 3\n";

        var (code, output) = await PrometheusTools.RunPromtoolAsync(PrometheusFolder, bad, "check", "metrics");

        Assert.True(code != 0 || output.Contains("_total", StringComparison.Ordinal), output);
    }
}
