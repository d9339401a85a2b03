using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Detector.Node.Configuration;
using Detector.Node.Hosting;
using Detector.Node.Http;
using Detector.Streams.Generators;
using Detector.Streams.Records;
using Detector.Streams.Sources;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Detector.Tests.Node;

/// <summary>A node run in-process by <see cref="NodeHost"/>: what it wires from configuration, seen from the outside.</summary>
public sealed class NodeHostTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);
    private readonly string _dir = Directory.CreateTempSubdirectory("detector-host-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private NodeOptions Options(params (string Key, string Value)[] settings) => NodeConfiguration.Load(null, new Dictionary<string, string>(),
        new (string Key, string Value)[]
        {
            ("Node:HttpAddress", "127.0.0.1"), ("Node:HttpPort", "0"),
            ("Sinks:Alerts:Path", Path.Combine(_dir, "alerts.jsonl")), ("Sinks:DeadLetters:Path", Path.Combine(_dir, "dead-letters.jsonl")),
        }.Concat(settings).Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));

    [Fact]
    public async Task RunAsync_SourceReportingPartitions_LagServedOnMetricsAndStatus()
    {
        // Partition 7 and lag 4242: values only this node's source reports, whatever else runs in this process.
        var components = NodeComponents.BuiltIn().WithSource(SourceKind.Generator, (_, _) => new IdleSource(new PartitionStatus("input", 7, 1_000, 4_242)));
        using var shutdown = new ShutdownSignal(listen: false);
        var serving = new TaskCompletionSource<NodeHttpServer>(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = NodeHost.RunAsync(Options(), components, shutdown, NullLoggerFactory.Instance, (_, http) => serving.TrySetResult(http!));
        await Task.WhenAny(serving.Task, run).WaitAsync(Bound);
        using var client = new HttpClient { BaseAddress = (await serving.Task).Url, Timeout = Bound };

        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        using var status = JsonDocument.Parse(await client.GetStringAsync(new Uri("/status", UriKind.Relative)));
        shutdown.Request();

        Assert.Contains("detector_consumer_lag{partition=\"7\"} 4242", metrics.Split('\n'));
        var partition = Assert.Single(status.RootElement.GetProperty("source").GetProperty("partitions").EnumerateArray());
        Assert.Equal(7, partition.GetProperty("partition").GetInt32());
        Assert.Equal(1_000, partition.GetProperty("committedOffset").GetInt64());
        Assert.Equal(4_242, partition.GetProperty("lag").GetInt64());
        Assert.Equal(4_242, status.RootElement.GetProperty("source").GetProperty("totalLag").GetInt64());
        Assert.Equal(0, await run.WaitAsync(Bound));
    }

    [Fact]
    public async Task RunAsync_PerEntityThresholdsInConfiguration_EachEntityJudgedAgainstItsOwnScores()
    {
        // After 1,000 ordinary records (the warm-up the first model is trained on), two cards alternate: "calm" sends
        // ordinary records, "hot" records with every feature far off. Against one global threshold the hot card's
        // scores fill the top percent and the calm card never alerts; with per-entity thresholds each card is judged
        // against its own recent scores, so both alert, the calm one at far lower thresholds. (No injected fraud, so the
        // calm card's own scores stay ordinary; a card's first 50 records are judged against the global threshold.)
        var generator = new CardTransactionGenerator(new CardGeneratorOptions { Seed = 21, AnomalyRate = 0 });
        var lines = new List<string>();
        for (var i = 0; i < 7_000; i++)
        {
            var record = JsonNode.Parse(generator.Next().Payload)!.AsObject();
            if (i >= 1_000)
            {
                var isHot = i % 2 == 1;
                record["card"] = isHot ? "hot" : "calm";
                if (isHot)
                {
                    foreach (var name in generator.Schema.Features.Select(f => f.Name))
                    {
                        record[name] = 50 * (double)record[name]! + 50 + (i % 7);
                    }
                }
            }
            lines.Add(record.ToJsonString());
        }
        var input = Path.Combine(_dir, "cards.jsonl");
        await File.WriteAllLinesAsync(input, lines, Encoding.UTF8);
        var options = Options(("Source:Kind", "File"), ("Source:Path", input), ("Source:Dataset", "cards"),
            ("Pipeline:Retraining:WarmUpRows", "1000"), ("Pipeline:Retraining:EveryRows", "0"), ("Pipeline:Retraining:Training:Epochs", "5"),
            ("Pipeline:Thresholds:Percentile", "99"), ("Pipeline:Thresholds:WarmUp", "1000"), ("Pipeline:Thresholds:SuppressionGap", "00:00:00"),
            ("Pipeline:Thresholds:PerEntity", "true"), ("Pipeline:Thresholds:EntityMinHistory", "50"));
        using var shutdown = new ShutdownSignal(listen: false);

        Assert.Equal(0, await NodeHost.RunAsync(options, NodeComponents.BuiltIn(), shutdown, NullLoggerFactory.Instance).WaitAsync(Bound));

        var alerts = File.ReadAllLines(Path.Combine(_dir, "alerts.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        var calm = alerts.Where(a => (string?)a["entity"] == "calm").Select(a => (double)a["threshold"]!).ToList();
        var hot = alerts.Where(a => (string?)a["entity"] == "hot").Select(a => (double)a["threshold"]!).ToList();
        Assert.True(calm.Count >= 5, $"{calm.Count} alerts for the calm card");
        Assert.True(hot.Count >= 5, $"{hot.Count} alerts for the hot card");
        Assert.True(Median(calm) * 4 < Median(hot), $"median thresholds: calm {Median(calm):g4}, hot {Median(hot):g4}");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>A source with input assigned and nothing to read yet (a quiet topic), reporting the given partition.</summary>
    private sealed class IdleSource(PartitionStatus partition) : IRecordSource, ISourceStatus
    {
        public bool IsAssigned => true;

        public IReadOnlyList<PartitionStatus> Partitions => [partition];

        public async IAsyncEnumerable<IReadOnlyList<RawRecord>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield break;
        }

        public void Acknowledge(SourcePosition position)
        {
        }
    }
}
