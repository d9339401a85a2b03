using Detector.Models.Validation;
using Detector.Node.Cluster;
using Detector.Tests.Kafka;
using Xunit;

namespace Detector.Tests.Cluster;

/// <summary>Cluster settings: bad ones stop start-up naming the key; a node whose seeds do not answer says so and keeps trying.</summary>
[Collection(ClusterProcesses.Name)]
public sealed class ClusterJoinTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("detector-join-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("Port", "70000", "[0, 65535]")]
    [InlineData("SeedNodes:0", "not a seed", "host:port or akka.tcp://detector@host:port")]
    [InlineData("Discovery", "Zookeeper", "Config, Kubernetes")]
    public async Task Run_BadClusterSetting_ExitsTwoNamingTheKeyAndAllowedValues(string key, string value, string allowed)
    {
        var (code, output) = await Detector.Tests.Node.NodeProcess.RunAsync(["run"], _dir, new Dictionary<string, string>
        {
            ["DETECTOR__Source__Kind"] = "Kafka",
            ["DETECTOR__Kafka__BootstrapServers"] = "127.0.0.1:1",
            ["DETECTOR__Cluster__" + key.Replace(":", "__", StringComparison.Ordinal)] = value,
        });

        Assert.True(code == 2, output);
        Assert.Contains($"Cluster:{key}", output, StringComparison.Ordinal);
        Assert.Contains(allowed, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HostnameAndModelSize_Checked()
    {
        Assert.Equal("Hostname", Assert.Throws<InvalidOptionException>(() => new ClusterOptions { Hostname = "bad host" }.Validate()).Key);
        Assert.Equal("MaxModelBytes", Assert.Throws<InvalidOptionException>(() => new ClusterOptions { MaxModelBytes = 10 }.Validate()).Key);
        Assert.Equal(["akka.tcp://detector@10.0.0.1:4053", "akka.tcp://other@h:1"],
            new ClusterOptions { SeedNodes = ["10.0.0.1:4053", "akka.tcp://other@h:1"] }.SeedAddresses);
    }

    [Fact]
    public async Task Run_NoSeedAnswers_NotReadyWithTheReasonAndStillTrying()
    {
        using var h = new ClusterHarness("noseed");
        // Its only seed is a port nobody listens on: it cannot form or join a cluster.
        var node = h.StartNode("lonely", new Dictionary<string, string> { ["Cluster:SeedNodes:0"] = "127.0.0.1:9" });
        string? reason = null;
        await h.WaitUntilAsync(() =>
        {
            using var status = node.Status();
            if (status is null || !status.RootElement.TryGetProperty("clusterJoin", out var join) || join.GetProperty("joined").GetBoolean())
            {
                return false;
            }
            reason = join.GetProperty("problem").GetString();
            return node.Log.Contains("is not in the cluster: not a member yet", StringComparison.Ordinal);
        }, "the node to report it cannot join", TimeSpan.FromSeconds(90));

        Assert.Contains("no seed node has let it join (akka.tcp://detector@127.0.0.1:9)", reason, StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = node.Url };
        var readyz = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
        Assert.Contains("cluster: not a member yet", await readyz.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(node.HasExited);
    }
}
