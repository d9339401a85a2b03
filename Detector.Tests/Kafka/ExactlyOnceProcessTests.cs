using System.Text;
using System.Text.Json;
using Detector.Streams.Generators;
using Detector.Streams.Kafka;
using Xunit;
using Xunit.Abstractions;

namespace Detector.Tests.Kafka;

/// <summary>
/// `Kafka:Guarantee = ExactlyOnce` with real `detector run` processes on the mock cluster: a kill -9 of a node mid-stream
/// moves its partitions, every record is scored, every partition's offsets record reaches the end, and no record's
/// alert is in two committed transactions. (The mock shows read_committed readers the dead node's open transaction, so
/// the check counts committed transactions from the offsets log; see the Streams README.)
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class ExactlyOnceProcessTests(ITestOutputHelper output)
{
    /// <summary>ExactlyOnce, and half the records alerting, so that every transaction carries alerts when the kill lands.</summary>
    private static readonly Dictionary<string, string> ExactlyOnce = new() { ["Kafka:Guarantee"] = "ExactlyOnce", ["Pipeline:Thresholds:Percentile"] = "50" };
    private static readonly string[] TwoNodes = ["n1", "n2"];

    [Fact]
    public async Task Kill9_OneNodeMidStream_EveryRecordScoredNoAlertCommittedTwice()
    {
        using var h = new ClusterHarness("eos-kill");
        var nodes = TwoNodes.Select(id => h.StartNode(id, ExactlyOnce)).ToList();
        await h.WaitStatusAsync(s => s.Values.Sum(n => n.Partitions.Length) == ClusterHarness.Partitions && s.Count(n => n.Value.Partitions.Length > 0) == 2,
            "2 nodes sharing the partitions", TimeSpan.FromSeconds(90));
        // The group's offsets are not stored by the mock under transactions: no lag throttle, few enough records for its
        // retention, at a rate that keeps the stream going past the kill.
        var replaying = h.ReplayAsync(ReplayRecords.FromGenerator(RecordGenerators.Create("cards", 21), 30_000), maxLag: 1_000_000, recordsPerSecond: 1_500);
        await h.WaitUntilAsync(() => replaying.IsFaulted || Next(h).Values.Where(n => n > 0).Sum() >= 5_000, "5,000 records committed in transactions", TimeSpan.FromMinutes(3));
        Assert.False(replaying.IsFaulted, replaying.Exception?.ToString());
        var victim = nodes[0];
        victim.Kill();
        Assert.False(replaying.IsCompleted, "the replay had ended before the kill: nothing was mid-stream");
        var replay = await replaying;
        await h.WaitUntilAsync(() => replay.HighWatermarks.All(e => Next(h).GetValueOrDefault(e.Key, -1) >= e.Value),
            "every partition's offsets record at its end", TimeSpan.FromMinutes(5));
        await ClusterHarness.StopAsync(nodes.Where(n => n != victim));

        var audit = h.Audit(replay.HighWatermarks);
        var committed = CommittedOutputs.Transactions(h.Options, ClusterHarness.Partitions);
        var alerts = KafkaTopics.ReadAll(h.Options, h.Options.AlertsTopic, ClusterHarness.Partitions)
            .Select(r => (Id: RecordId(r.Message.Value), Transaction: Encoding.UTF8.GetString(r.Message.Headers.GetLastBytes(OffsetsRecord.Header))))
            .ToList();
        var once = alerts.Where(a => committed.Contains(a.Transaction)).GroupBy(a => a.Id).ToList();
        var twice = once.Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        output.WriteLine($"killed {victim.Id}; {replay.Produced:N0} records, missing {audit.Missing}, scored twice {audit.Duplicates}; alerts on the topic {alerts.Count}, " +
            $"in committed transactions {once.Count}, in committed transactions twice {twice.Count}");
        Assert.True(audit.Missing == 0, $"{audit.Missing} records never scored: {audit.Gaps}\n{h.Tails()}");
        Assert.True(audit.PartitionsByNode[victim.Id].Count > 0, "the victim had scored nothing before it was killed");
        Assert.True(twice.Count == 0, $"{twice.Count} records' alerts committed twice, e.g. {string.Join(",", twice.Take(5))}");
        Assert.True(once.Count > 1_000, $"only {once.Count} records' alerts committed: the check had little to check");
    }

    [Fact]
    public async Task Fenced_ANewerOwnerClaimsAPartition_NodeStopsProducingAndExits1NamingTheFence()
    {
        using var h = new ClusterHarness("eos-fence");
        var node = h.StartNode("n1", ExactlyOnce);
        await h.WaitStatusAsync(s => s.GetValueOrDefault("n1")?.Partitions.Length == ClusterHarness.Partitions, "n1 owning every partition", TimeSpan.FromSeconds(90));
        await h.WaitUntilAsync(() => OffsetsLog.ReadNewest(h.Options, 0, "check") is not null, "n1's claim of partition 0", TimeSpan.FromMinutes(1));
        var held = OffsetsLog.ReadNewest(h.Options, 0, "check")!;

        // What a new owner of partition 0 does first: InitTransactions with the partition's transactional id, then a claim with the next epoch.
        using (var owner = new PartitionTransaction(h.Options, new Confluent.Kafka.TopicPartition(h.Options.InputTopic, 0), "new-owner",
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            owner.Claim(held.Next, held.Epoch + 1);
            await h.WaitUntilAsync(() => node.HasExited, "n1 to exit after the claim", TimeSpan.FromMinutes(1));
        }

        Assert.Equal(1, await node.StopAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("fenced on partition 0", node.Log, StringComparison.Ordinal);
        Assert.Contains("new-owner", node.Log, StringComparison.Ordinal);
    }

    private static Dictionary<int, long> Next(ClusterHarness h) =>
        Enumerable.Range(0, ClusterHarness.Partitions).ToDictionary(p => p, p => OffsetsLog.ReadNext(h.Options, p, "check"));

    private static string RecordId(byte[] value) => JsonDocument.Parse(value).RootElement.GetProperty("record_id").GetString()!;
}
