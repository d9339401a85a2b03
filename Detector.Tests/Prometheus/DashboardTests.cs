using System.Text.Json;
using System.Text.RegularExpressions;
using Detector.Tests.Node;
using Xunit;

namespace Detector.Tests.Prometheus;

/// <summary>Every metric the Grafana dashboard and the alerting rules query is one a running node really exports.</summary>
[Collection(ScoringNodeGroup.Name)]
public sealed partial class DashboardTests(ScoringNodeFixture node)
{
    /// <summary>Series Prometheus itself makes, not the node.</summary>
    private static readonly HashSet<string> PrometheusOwn = ["up", "ALERTS"];

    private static List<string> DashboardQueries()
    {
        using var dashboard = JsonDocument.Parse(RepositoryFiles.Read("deploy/grafana/dashboards/detector.json"));
        return dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!).ToList();
    }

    /// <summary>Metric names in a PromQL expression: identifiers followed by a selector, range or closing parenthesis, minus functions and keywords.</summary>
    public static IReadOnlyList<string> MetricNames(string expr) =>
        MetricName().Matches(LabelMatchers().Replace(expr, "{}")).Select(m => m.Groups[1].Value)
            .Where(n => n.StartsWith("detector_", StringComparison.Ordinal) || PrometheusOwn.Contains(n)).Distinct().ToList();

    [Fact]
    public void Dashboard_HasThePanelsTheIssueAsksFor()
    {
        using var dashboard = JsonDocument.Parse(RepositoryFiles.Read("deploy/grafana/dashboards/detector.json"));
        var titles = dashboard.RootElement.GetProperty("panels").EnumerateArray().Select(p => p.GetProperty("title").GetString()).ToList();

        foreach (var title in new[] { "Scores vs threshold", "Anomaly rate", "Throughput", "Latency", "Consumer lag", "Model versions" })
        {
            Assert.Contains(title, titles);
        }
    }

    [Fact]
    public async Task DashboardAndRules_EveryQueriedMetric_IsExportedByARunningNode()
    {
        var scrape = await node.ScrapeAsync();
        var exported = scrape.Split('\n').Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l[..l.IndexOfAny([' ', '{'])]).ToHashSet(StringComparer.Ordinal);
        var rules = RuleExpressions().Matches(RepositoryFiles.Read("deploy/prometheus/rules.yml")).Select(m => m.Value);
        var queries = DashboardQueries().Concat(rules).ToList();

        var names = queries.SelectMany(MetricNames).Distinct().ToList();
        var missing = names.Where(n => !PrometheusOwn.Contains(n) && !exported.Contains(n)).ToList();

        Assert.True(names.Count >= 15, $"expected the queries to name many metrics, found [{string.Join(", ", names)}]");
        Assert.True(missing.Count == 0, $"queried but not exported: [{string.Join(", ", missing)}]");
    }

    [Theory]
    [InlineData("histogram_quantile(0.99, sum by (le) (rate(detector_score_bucket{job=\"x\"}[1m])))", "detector_score_bucket")]
    [InlineData("sum(rate(a_b[1m])) / sum(up{job=\"detector\"})", "up")]
    public void MetricNames_Expression_FindsTheMetrics(string expr, string expected) =>
        Assert.Equal([expected], MetricNames(expr));

    [GeneratedRegex(@"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?=[\{\[\)])")]
    private static partial Regex MetricName();

    [GeneratedRegex("\\{[^}]*\\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\bdetector_[a-z_]+")]
    private static partial Regex RuleExpressions();
}
