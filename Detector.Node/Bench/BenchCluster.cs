using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Detector.Node.Kafka;
using Detector.Streams.Generators;
using Detector.Streams.Kafka;

namespace Detector.Node.Bench;

/// <summary>
/// `bench cluster`: a mock Kafka cluster and real `detector run` processes on loopback (3, then 2). Per case one JSON
/// line: <c>propagation_s</c>, from the trainer's answer to a retrain (the model is published by then) until every node
/// runs the new version (each node's own /status, polled every 50 ms), and <c>takeover_s</c>, from kill -9 of the
/// trainer's node until a survivor's /status says it is the trainer.
/// </summary>
public static class BenchCluster
{
    private const string Token = "bench-cluster-admin-token";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    /// <summary>Runs the cases; returns the exit code.</summary>
    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var nodes in (int[])[3, 2])
        {
            var (takeover, propagation) = await RunCaseAsync(nodes, cancellationToken);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $$"""{"case":"kill9-trainer","nodes":{{nodes}},"takeover_s":{{takeover:F2}},"propagation_s":{{propagation:F3}}}"""));
        }
        return 0;
    }

    private static async Task<(double Takeover, double Propagation)> RunCaseAsync(int count, CancellationToken cancellationToken)
    {
        using var kafka = new MockCluster(3);
        var options = new KafkaOptions { BootstrapServers = kafka.BootstrapServers, SessionTimeout = TimeSpan.FromSeconds(6) };
        KafkaCommand.CreateDetectorTopics(kafka, options, 6);
        var folder = Directory.CreateTempSubdirectory("detector-bench-cluster-").FullName;
        var seed = FreePort();
        var nodes = Enumerable.Range(1, count).Select(i => Start(folder, $"b{i}", kafka.BootstrapServers, i == 1 ? seed : FreePort(), seed)).ToList();
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        try
        {
            await UntilAsync(async () => (await StatusesAsync(http, nodes)).Count(s => s.Members == count) == count, "every node sees every member", cancellationToken);
            await new KafkaReplay(options, options.InputTopic).RunAsync(ReplayRecords.FromGenerator(RecordGenerators.Create("cards", 5), 5_000),
                new ReplayOptions(), cancellationToken);
            await UntilAsync(async () => (await StatusesAsync(http, nodes)).All(s => s.Version >= 1), "every node on the first model", cancellationToken);
            var trainer = nodes[(await StatusesAsync(http, nodes)).FindIndex(s => s.Role == "trainer")];

            using var response = await http.PostAsync(new Uri(trainer.Url, "/models/retrain"), null, cancellationToken);
            var published = Stopwatch.StartNew();
            using var outcome = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var version = outcome.RootElement.GetProperty("version").GetInt64();
            if (outcome.RootElement.GetProperty("outcome").GetString() != "published")
            {
                throw new InvalidOperationException($"bench cluster: the retrain was not published: {outcome.RootElement}");
            }
            await UntilAsync(async () => (await StatusesAsync(http, nodes)).All(s => s.Version >= version), $"every node on v{version}", cancellationToken);
            var propagation = published.Elapsed.TotalSeconds;

            var killedAt = DateTime.UtcNow;
            trainer.Process.Kill(entireProcessTree: true);
            var killed = Stopwatch.StartNew();
            var survivors = nodes.Where(n => n != trainer).ToList();
            await UntilAsync(async () => (await StatusesAsync(http, survivors)).Any(s => s.Role == "trainer"), "a trainer on a survivor", cancellationToken);
            var takeover = killed.Elapsed.TotalSeconds;
            await WriteTimelineAsync(folder, survivors, killedAt, count);
            return (takeover, propagation);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            var logs = Path.Combine(Path.GetTempPath(), $"detector-bench-cluster-failed-{DateTime.UtcNow:HHmmss}");
            Directory.CreateDirectory(logs);
            foreach (var file in Directory.GetFiles(folder, "*.log"))
            {
                File.Copy(file, Path.Combine(logs, Path.GetFileName(file)));
            }
            throw new InvalidOperationException($"{e.Message}; node logs in {logs}", e);
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Process.Kill(entireProcessTree: true);
                await node.Process.WaitForExitAsync(CancellationToken.None);
                node.Process.Dispose();
            }
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record BenchNode(string Id, Process Process, Uri Url);

    private sealed record NodeView(string Role, long Version, int Members);

    private static BenchNode Start(string folder, string id, string bootstrap, int port, int seed)
    {
        var httpPort = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "detector.dll"), "run", "--node-id", id, "--http-port", httpPort.ToString(CultureInfo.InvariantCulture) },
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["Source:Kind"] = "Kafka", ["Sinks:Alerts:Kind"] = "Kafka", ["Sinks:DeadLetters:Kind"] = "Kafka",
            ["Kafka:BootstrapServers"] = bootstrap, ["Kafka:SessionTimeout"] = "00:00:06", ["Kafka:StatusInterval"] = "00:00:00.500",
            ["Pipeline:ModelActors"] = "1", ["Pipeline:Retraining:WarmUpRows"] = "1000", ["Pipeline:Retraining:GateTolerance"] = "1000",
            ["Node:AdminToken"] = Token, ["Node:HttpAddress"] = "127.0.0.1",
            ["Cluster:Port"] = port.ToString(CultureInfo.InvariantCulture), ["Cluster:SeedNodes:0"] = $"127.0.0.1:{seed.ToString(CultureInfo.InvariantCulture)}",
        })
        {
            start.Environment["DETECTOR__" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start detector");
        var log = new StreamWriter(Path.Combine(folder, $"{id}.log")) { AutoFlush = true };
        var gate = new Lock();
        void Write(string? line)
        {
            if (line is not null)
            {
                lock (gate)
                {
                    log.WriteLine(line);
                }
            }
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new BenchNode(id, process, new Uri($"http://127.0.0.1:{httpPort.ToString(CultureInfo.InvariantCulture)}"));
    }

    /// <summary>
    /// The takeover's phases, to standard error: each survivor's log lines that mark one (unreachable, the resolver's
    /// decision and lease, removal, the singleton moving, the trainer lease, the trainer role), as seconds after the kill.
    /// </summary>
    private static async Task WriteTimelineAsync(string folder, IEnumerable<BenchNode> survivors, DateTime killedAt, int count)
    {
        var lines = new List<(double At, string Line)>();
        foreach (var node in survivors)
        {
            string[] log;
            using (var stream = new FileStream(Path.Combine(folder, $"{node.Id}.log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            using (var reader = new StreamReader(stream))
            {
                log = (await reader.ReadToEndAsync()).Split('\n');
            }
            foreach (var line in log)
            {
                if (line.Length > 13 && Milestones.Any(m => line.Contains(m, StringComparison.Ordinal))
                    && TimeSpan.TryParseExact(line[..12], @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture, out var time))
                {
                    var at = (time - killedAt.TimeOfDay).TotalSeconds;
                    if (at >= 0)
                    {
                        lines.Add((at, $"{node.Id}: {line[13..].Trim()}"));
                    }
                }
            }
        }
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"bench cluster, {count} nodes: the takeover, seconds after the kill"));
        foreach (var (at, line) in lines.OrderBy(l => l.At))
        {
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {at,6:F2}  {(line.Length > 180 ? line[..180] : line)}"));
        }
    }

    private static readonly string[] Milestones =
    [
        "UNREACHABLE", "SBR", "Leader is removing", "removed", "Singleton", "singleton", "lease trainer", "lease sbr", "is now the trainer",
    ];

    /// <summary>Each node's own view: its role, its model version and how many Up members it sees (-1 when it does not answer).</summary>
    private static async Task<List<NodeView>> StatusesAsync(HttpClient http, IEnumerable<BenchNode> nodes)
    {
        var views = new List<NodeView>();
        foreach (var node in nodes)
        {
            try
            {
                using var status = JsonDocument.Parse(await http.GetStringAsync(new Uri(node.Url, "/status")));
                var root = status.RootElement;
                var version = root.GetProperty("model").ValueKind == JsonValueKind.Null ? 0 : root.GetProperty("model").GetProperty("version").GetInt64();
                var members = root.TryGetProperty("cluster", out var cluster) ? cluster.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "Up") : 0;
                views.Add(new NodeView(root.GetProperty("role").GetString() ?? "", version, members));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                views.Add(new NodeView("", -1, -1));
            }
        }
        return views;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > Patience)
            {
                throw new TimeoutException($"bench cluster: no {what} after {Patience}");
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
