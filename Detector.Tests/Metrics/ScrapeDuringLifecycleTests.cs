using System.Net;
using Detector.Tests.Node;
using Xunit;

namespace Detector.Tests.Metrics;

/// <summary>A scrape of a real node while it starts (before its first model) and while it stops answers, never hangs.</summary>
public sealed class ScrapeDuringLifecycleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("detector-scrape-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Metrics_ScrapedWhileTheNodeStartsAndStops_EveryScrapeAnswers()
    {
        await using var node = await NodeProcess.StartNodeAsync(
        [
            "run", "--http-port", "0", "--set", "Node:HttpAddress=127.0.0.1", "--set", "Source:RecordsPerSecond=20000",
            "--set", "Pipeline:Retraining:WarmUpRows=1000", "--set", "Pipeline:ModelActors=1", "--set", "Node:ShutdownTimeout=00:00:30",
        ], _dir);
        // A hung scrape shows as a timeout here; a closed port (the node gone) as a refused connection, which is an answer.
        using var http = new HttpClient { BaseAddress = node.Url, Timeout = TimeSpan.FromSeconds(20) };
        var answered = new List<HttpStatusCode>();
        var hung = new List<string>();
        async Task ScrapeAsync()
        {
            try
            {
                using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
                var text = await response.Content.ReadAsStringAsync();
                answered.Add(response.StatusCode);
                Assert.True(response.StatusCode != HttpStatusCode.OK || text.Contains("# TYPE detector_records_consumed_total counter", StringComparison.Ordinal), text);
            }
            catch (TaskCanceledException e)
            {
                hung.Add(e.Message);
            }
            catch (HttpRequestException)
            {
                // the listener has closed: the node is on its way out
            }
        }

        await ScrapeAsync(); // at once after "HTTP listening": the node is still warming up, no model yet
        Assert.Equal(HttpStatusCode.OK, Assert.Single(answered));
        await node.WaitForOutputAsync("first model v1", TimeSpan.FromSeconds(90));
        await ScrapeAsync();
        Assert.Equal(2, answered.Count);
        node.Signal(15);
        var exit = node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        while (!exit.IsCompleted)
        {
            await ScrapeAsync();
        }

        Assert.Equal(0, await exit);
        Assert.Empty(hung);
        Assert.All(answered, code => Assert.Equal(HttpStatusCode.OK, code));
    }
}
