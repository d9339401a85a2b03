using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Detector.Node.Cluster;
using Detector.Node.Kafka;
using Detector.Streams.Audit;
using Detector.Streams.Kafka;
using Xunit;

namespace Detector.Tests.Kafka;

/// <summary>A mock Kafka cluster with Detector's topics, real node processes on it, and the checks the cluster tests share.</summary>
internal sealed class ClusterHarness : IDisposable
{
    public const int Partitions = 6;
    private readonly List<NodeProcess> _nodes = [];
    private volatile NodeProcess[] _started = []; // what the node watch reads, from a timer thread

    public ClusterHarness(string name)
    {
        Folder = Path.Combine(Path.GetTempPath(), $"detector-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Folder);
        Kafka = new MockCluster(3);
        Options = new KafkaOptions { BootstrapServers = Kafka.BootstrapServers, SessionTimeout = TimeSpan.FromSeconds(6) };
        KafkaCommand.CreateDetectorTopics(Kafka, Options, Partitions);
    }

    public string Folder { get; }

    /// <summary>The admin token every node is started with.</summary>
    public const string AdminToken = "cluster-test-admin-token";

    /// <summary>The Akka port of the first node started, every node's seed.</summary>
    private int _seedPort;

    public MockCluster Kafka { get; }

    public KafkaOptions Options { get; }

    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    /// <summary>Starts a node: Kafka in and out, one model actor, frequent commits, small in-flight bound.</summary>
    public NodeProcess StartNode(string id, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Source:Kind"] = "Kafka",
            ["Sinks:Alerts:Kind"] = "Kafka",
            ["Sinks:DeadLetters:Kind"] = "Kafka",
            ["Kafka:BootstrapServers"] = Kafka.BootstrapServers,
            ["Kafka:SessionTimeout"] = "00:00:06",
            ["Kafka:CommitInterval"] = "00:00:00.200",
            ["Kafka:MaxInFlightRecords"] = "8192",
            ["Kafka:StatusInterval"] = "00:00:00.500",
            ["Pipeline:ModelActors"] = "1",
            // Few warm-up rows: the producer is held within the mock's retention, so the trainer must not wait for many.
            ["Pipeline:Retraining:WarmUpRows"] = "1000",
            ["Node:ShutdownTimeout"] = "00:00:30",
            ["Node:AdminToken"] = AdminToken,
            ["Node:HttpAddress"] = "127.0.0.1",
        };
        var port = FreePort();
        _seedPort = _seedPort == 0 ? port : _seedPort;
        settings["Cluster:Port"] = port.ToString(CultureInfo.InvariantCulture);
        settings["Cluster:SeedNodes:0"] = $"127.0.0.1:{_seedPort.ToString(CultureInfo.InvariantCulture)}";
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        var node = NodeProcess.Start(Folder, id, settings);
        _nodes.Add(node);
        _started = [.. _nodes];
        return node;
    }

    /// <summary>
    /// Produces card records, never more than maxLag per partition ahead of the nodes' group (mock retention; under
    /// ExactlyOnce the group's progress is read from its offsets topic). The throttle waits on the nodes, so the replay
    /// fails (with the nodes' logs) when they all exit or it outlasts timeout.
    /// </summary>
    public async Task<ReplayResult> ReplayAsync(IEnumerable<ReplayRecord> records, long maxLag = 3_000, TimeSpan? timeout = null, double recordsPerSecond = 0,
        KafkaGuarantee guarantee = KafkaGuarantee.AtLeastOnce)
    {
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        using var stop = new CancellationTokenSource(limit);
        using var watch = WatchNodes(stop);
        try
        {
            var result = await new KafkaReplay(Options with { Guarantee = guarantee }, Options.InputTopic).RunAsync(records,
                new ReplayOptions { ThrottleGroup = Options.GroupId, MaxLagPerPartition = maxLag, RecordsPerSecond = recordsPerSecond }, stop.Token);
            Assert.Equal(0, result.Failed);
            return result;
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"replay stopped: {(AllExited ? "every node exited" : $"not done after {limit}")}; committed {Describe(Committed())}\n{Tails()}");
            throw;
        }
    }

    /// <summary>
    /// Polls condition (every 500 ms: conditions here ask the brokers) until it holds; fails with the group's committed
    /// offsets and the nodes' logs after timeout or when every node has exited.
    /// </summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline || AllExited)
            {
                Assert.Fail($"{(AllExited ? "every node exited" : $"timed out after {timeout}")} waiting for {what}; committed {Describe(Committed())}\n{Tails()}");
            }
            await Task.Delay(500);
        }
    }

    private bool AllExited => _started is { Length: > 0 } started && started.All(n => n.HasExited);

    /// <summary>Cancels stop once every node has exited: nothing will consume what is being waited for.</summary>
    private Timer WatchNodes(CancellationTokenSource stop) => new Timer(_ =>
    {
        try
        {
            if (AllExited)
            {
                stop.Cancel();
            }
        }
        catch (ObjectDisposedException)
        {
            // The wait ended while this tick ran.
        }
    }, null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));

    /// <summary>The group's committed offsets.</summary>
    public Dictionary<int, long> Committed() => KafkaTopics.Committed(Options, Options.GroupId, Options.InputTopic, Partitions);

    /// <summary>Waits until the group has committed every partition up to its end: every record fully handled.</summary>
    public Task WaitAllCommittedAsync(IReadOnlyDictionary<int, long> ends, TimeSpan timeout) =>
        WaitUntilAsync(() =>
        {
            var committed = Committed();
            return ends.All(e => committed.GetValueOrDefault(e.Key, -1) >= e.Value);
        }, $"every partition committed to its end ({Describe(ends)})", timeout);

    /// <summary>Waits for a condition on the latest status of every node (read from the status topic).</summary>
    public async Task<Dictionary<string, NodeStatus>> WaitStatusAsync(Func<Dictionary<string, NodeStatus>, bool> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var statuses = Statuses();
            if (condition(statuses))
            {
                return statuses;
            }
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}: {string.Join("; ", statuses.Values)}\n{Tails()}");
            await Task.Delay(250);
        }
    }

    /// <summary>Every member's status as the first live node's /status shows it (Akka membership and the gossiped status).</summary>
    public Dictionary<string, NodeStatus> Statuses()
    {
        var latest = new Dictionary<string, NodeStatus>(StringComparer.Ordinal);
        foreach (var node in _nodes.Where(n => !n.HasExited && !n.IsPaused))
        {
            if (node.Status() is not { } status || !status.RootElement.TryGetProperty("cluster", out var members))
            {
                continue;
            }
            foreach (var m in members.EnumerateArray())
            {
                if (m.GetProperty("nodeId").GetString() is { } id && m.GetProperty("status").GetString() == "Up" && m.GetProperty("reachable").GetBoolean())
                {
                    latest[id] = new NodeStatus(id, m.GetProperty("address").GetString()!, m.GetProperty("role").GetString()!,
                        [.. m.GetProperty("partitions").EnumerateArray().Select(p => p.GetInt32())], m.GetProperty("modelVersion").GetInt64(),
                        m.GetProperty("modelEpoch").GetInt64(), m.GetProperty("lag").GetInt64(), m.GetProperty("scored").GetInt64(),
                        m.GetProperty("reportedAt").GetDateTimeOffset());
                }
            }
            return latest;
        }
        return latest;
    }

    /// <summary>The next node started is the seed of the nodes after it (a cluster started again from nothing).</summary>
    public void NewSeed() => _seedPort = 0;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Reconciles the nodes' audit logs with the partitions' ends: offsets never scored, and scorings beyond one per record.</summary>
    public AuditReport Audit(IReadOnlyDictionary<int, long> ends)
    {
        var counts = ScoredRangeAudit.Read(_nodes.Select(n => n.AuditPath));
        long missing = 0, duplicates = 0, scored = 0;
        var gaps = new List<string>();
        foreach (var (partition, end) in ends)
        {
            var offsets = counts.GetValueOrDefault($"{Options.InputTopic}:{partition}") ?? [];
            for (long o = 0; o < end; o++)
            {
                var n = offsets.GetValueOrDefault(o);
                if (n == 0 && (o == 0 || offsets.GetValueOrDefault(o - 1) > 0) && gaps.Count < 12)
                {
                    var last = o;
                    while (last + 1 < end && offsets.GetValueOrDefault(last + 1) == 0)
                    {
                        last++;
                    }
                    gaps.Add($"{partition}:{o}-{last}");
                }
                missing += n == 0 ? 1 : 0;
                duplicates += Math.Max(0, n - 1);
                scored += n;
            }
        }
        var byNode = _nodes.ToDictionary(n => n.Id, n => ScoredRangeAudit.Read([n.AuditPath]).Keys.Order().ToList());
        return new AuditReport(missing, duplicates, scored, byNode, string.Join(" ", gaps));
    }

    /// <summary>SIGTERM to each node; each must drain, commit and exit 0.</summary>
    public static async Task StopAsync(IEnumerable<NodeProcess> nodes)
    {
        foreach (var node in nodes)
        {
            var code = await node.StopAsync(TimeSpan.FromSeconds(60));
            Assert.True(code == 0, $"node {node.Id} exited {code}\n{node.Tail(40)}");
        }
    }

    public string Tails() => string.Join("\n", _nodes.Select(n => n.Tail()));

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }
        Kafka.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Describe(IReadOnlyDictionary<int, long> offsets) =>
        string.Join(",", offsets.OrderBy(o => o.Key).Select(o => $"{o.Key}:{o.Value.ToString(CultureInfo.InvariantCulture)}"));
}

/// <summary>What the audit logs say.</summary>
/// <param name="Missing">Records never scored.</param>
/// <param name="Duplicates">Scorings beyond the first of a record.</param>
/// <param name="Scored">Scorings in all.</param>
/// <param name="PartitionsByNode">Which input partitions each node scored records of.</param>
/// <param name="Gaps">The first runs of offsets never scored, as partition:first-last.</param>
internal sealed record AuditReport(long Missing, long Duplicates, long Scored, Dictionary<string, List<string>> PartitionsByNode, string Gaps);
