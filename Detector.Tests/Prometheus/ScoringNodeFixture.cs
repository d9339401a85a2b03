using Detector.Tests.Node;
using Xunit;

namespace Detector.Tests.Prometheus;

/// <summary>
/// One real node shared by the Prometheus tests: the cards generator at 5000 records/s into the whole pipeline, HTTP on
/// a free loopback port, and a low threshold percentile (80) so that about a fifth of the records are anomalies and
/// the anomaly-rate alert has something to fire on.
/// </summary>
public sealed class ScoringNodeFixture : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("detector-prom-node-").FullName;

    /// <summary>The running node.</summary>
    public NodeProcess Node { get; private set; } = null!;

    /// <summary>Its /metrics text once the first model is live and records have been judged.</summary>
    public async Task<string> ScrapeAsync()
    {
        using var http = new HttpClient { BaseAddress = Node.Url };
        return await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
    }

    public async Task InitializeAsync()
    {
        Node = await NodeProcess.StartNodeAsync(
        [
            "run", "--http-port", "0", "--set", "Node:HttpAddress=127.0.0.1", "--set", "Source:RecordsPerSecond=5000",
            "--set", "Pipeline:ModelActors=1", "--set", "Pipeline:Thresholds:Percentile=80", "--set", "Pipeline:Thresholds:WarmUp=500",
            "--set", "Pipeline:Retraining:WarmUpRows=1000", "--set", "Pipeline:Retraining:Training:Epochs=3",
            "--set", "Pipeline:Retraining:EveryRows=0",
        ], _dir);
        await Node.WaitForOutputAsync("first model v1", TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
