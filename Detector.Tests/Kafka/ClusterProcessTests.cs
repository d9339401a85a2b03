using System.Diagnostics;
using System.Text;
using Detector.Node.Cluster;
using Detector.Streams.Generators;
using Detector.Streams.Kafka;
using Xunit;
using Xunit.Abstractions;

namespace Detector.Tests.Kafka;

/// <summary>
/// Real `detector run` processes on a real Kafka-protocol cluster (librdkafka's mock brokers, in this process so the
/// test can inject faults): group spread, crashes, broker faults, trainer failover and poison messages. Every record is
/// checked against the nodes' scored-range audit logs.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class ClusterProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Join = TimeSpan.FromSeconds(60);
    private static readonly string[] ThreeNodes = ["n1", "n2", "n3"];
    private static readonly string[] TwoNodes = ["n1", "n2"];

    private static IEnumerable<ReplayRecord> Cards(int count, ulong seed) => ReplayRecords.FromGenerator(RecordGenerators.Create("cards", seed), count);

    private static Task<Dictionary<string, NodeStatus>> WaitAssignedAsync(ClusterHarness h, int nodes) =>
        h.WaitStatusAsync(s => s.Values.Count(n => n.Role != "stopped" && n.Partitions.Length > 0) == nodes
            && s.Values.Where(n => n.Role != "stopped").Sum(n => n.Partitions.Length) == ClusterHarness.Partitions, $"{nodes} nodes sharing the partitions", Join);

    [Fact]
    public async Task ThreeNodes_MillionRecords_EveryRecordScoredAndPartitionsSpread()
    {
        using var h = new ClusterHarness("spread");
        var nodes = ThreeNodes.Select(id => h.StartNode(id)).ToList();
        await WaitAssignedAsync(h, 3);
        var clock = Stopwatch.StartNew();
        var replay = await h.ReplayAsync(Cards(1_000_000, 11));
        await h.WaitAllCommittedAsync(replay.HighWatermarks, TimeSpan.FromMinutes(15));
        var seconds = clock.Elapsed.TotalSeconds;
        await ClusterHarness.StopAsync(nodes);

        var audit = h.Audit(replay.HighWatermarks);
        output.WriteLine($"1,000,000 records over 3 nodes in {seconds:F1}s ({1_000_000 / seconds:N0} records/s end to end); " +
            $"duplicates {audit.Duplicates}; partitions by node: {string.Join("; ", audit.PartitionsByNode.Select(kv => $"{kv.Key}=[{string.Join(",", kv.Value)}]"))}");
        Assert.Equal(1_000_000, replay.HighWatermarks.Values.Sum());
        Assert.True(audit.Missing == 0, $"{audit.Missing} records never scored: {audit.Gaps}\n{h.Tails()}");
        Assert.All(audit.PartitionsByNode, kv => Assert.NotEmpty(kv.Value));
    }

    [Fact]
    public async Task Kill9_OneNodeMidStream_PartitionsMoveEveryRecordScoredDuplicatesBoundedByInFlight()
    {
        using var h = new ClusterHarness("kill");
        var nodes = ThreeNodes.Select(id => h.StartNode(id)).ToList();
        await WaitAssignedAsync(h, 3);
        var replaying = h.ReplayAsync(Cards(300_000, 12));
        await h.WaitUntilAsync(() => replaying.IsFaulted || h.Committed().Values.Where(c => c > 0).Sum() >= 100_000, "100,000 records committed", TimeSpan.FromMinutes(3));
        Assert.False(replaying.IsFaulted, replaying.Exception?.ToString());
        var statuses = h.Statuses();
        var victim = nodes.First(n => statuses.GetValueOrDefault(n.Id)?.Role == "scorer");
        victim.Kill();
        var committedAtCrash = h.Committed();
        var endsAtCrash = KafkaTopics.Ends(h.Options, h.Options.InputTopic, ClusterHarness.Partitions);
        var killedAt = Stopwatch.StartNew();
        var replay = await replaying;
        await h.WaitAllCommittedAsync(replay.HighWatermarks, TimeSpan.FromMinutes(5));
        var recovered = killedAt.Elapsed.TotalSeconds;
        await ClusterHarness.StopAsync(nodes.Where(n => n != victim));

        var audit = h.Audit(replay.HighWatermarks);
        // What the victim had scored beyond the group's committed offsets (re-scored by the new owner), and the bound: every
        // record not committed at the moment of the crash (the kill sets off a rebalance of every node's partitions).
        var victimScored = Detector.Streams.Audit.ScoredRangeAudit.Read([victim.AuditPath]);
        long victimUncommitted = 0;
        foreach (var (name, offsets) in victimScored)
        {
            var partition = int.Parse(name[(name.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            victimUncommitted += offsets.Keys.Count(o => o >= committedAtCrash.GetValueOrDefault(partition, 0));
        }
        var inFlightAtCrash = endsAtCrash.Sum(e => e.Value - Math.Max(0, committedAtCrash.GetValueOrDefault(e.Key, 0)));
        output.WriteLine($"killed {victim.Id} (scorer) after {committedAtCrash.Values.Where(c => c > 0).Sum():N0} committed; all 300,000 committed {recovered:F1}s later; " +
            $"duplicates {audit.Duplicates}; the victim had scored {victimUncommitted} records beyond the committed offsets; records not committed at the crash {inFlightAtCrash}");
        Assert.True(audit.Missing == 0, $"{audit.Missing} records never scored: {audit.Gaps}\n{h.Tails()}");
        Assert.True(audit.Duplicates <= inFlightAtCrash, $"duplicates {audit.Duplicates} > records in flight at the crash {inFlightAtCrash}");
        Assert.True(audit.PartitionsByNode[victim.Id].Count > 0, "the victim had scored nothing before it was killed");
    }

    [Fact]
    public async Task BrokerDownAndUpWithInjectedErrors_DuringTheRun_NothingLost()
    {
        using var h = new ClusterHarness("faults");
        // Broker 2 is the group's coordinator too, so the outage also takes the coordinator away: the nodes' consume
        // loops must keep serving the client then (an interval commit waiting for the coordinator on the consume
        // thread hid the outage from the nodes' logs until the broker was back, and this test waited for those logs).
        h.Kafka.SetGroupCoordinator(h.Options.GroupId, 2);
        var nodes = TwoNodes.Select(id => h.StartNode(id)).ToList();
        await h.WaitStatusAsync(s => s.Values.Sum(n => n.Partitions.Length) == ClusterHarness.Partitions && s.Count == 2, "2 nodes sharing the partitions", Join);
        var replaying = h.ReplayAsync(Cards(200_000, 13));
        await h.WaitUntilAsync(() => replaying.IsFaulted || h.Committed().Values.Where(c => c > 0).Sum() >= 40_000, "40,000 records committed", TimeSpan.FromMinutes(3));
        Assert.False(replaying.IsFaulted, replaying.Exception?.ToString());
        // Down for at least 3 s and until a node has seen it (a bounded poll: on a busy machine a node can take longer
        // than 3 s to notice, and the outage is asserted below).
        var down = Stopwatch.StartNew();
        h.Kafka.SetBrokerDown(2);
        await h.WaitUntilAsync(() => nodes.Any(SawBrokerOutage), "a node to see broker 2 down", TimeSpan.FromMinutes(2));
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, 3 - down.Elapsed.TotalSeconds)));
        var downFor = down.Elapsed;
        h.Kafka.SetBrokerUp(2);
        // NOT_LEADER_FOR_PARTITION (6), REQUEST_TIMED_OUT (7), NOT_ENOUGH_REPLICAS (19), COORDINATOR_NOT_AVAILABLE (15).
        h.Kafka.PushRequestErrors(KafkaApi.Produce, 6, 7, 19, 7, 6);
        h.Kafka.PushRequestErrors(KafkaApi.Fetch, 6, 7, 6);
        h.Kafka.PushRequestErrors(KafkaApi.OffsetCommit, 15, 7, 15);
        var replay = await replaying;
        await h.WaitAllCommittedAsync(replay.HighWatermarks, TimeSpan.FromMinutes(5));
        await ClusterHarness.StopAsync(nodes);

        var audit = h.Audit(replay.HighWatermarks);
        var alerts = KafkaTopics.ReadAll(h.Options, h.Options.AlertsTopic, ClusterHarness.Partitions);
        output.WriteLine($"broker 2 down {downFor.TotalSeconds:F1} s, then 5 produce, 3 fetch and 3 commit errors injected: {replay.Produced:N0} produced, " +
            $"missing {audit.Missing}, duplicates {audit.Duplicates}, alerts on the topic {alerts.Count}");
        Assert.Equal(200_000, replay.Produced);
        Assert.True(audit.Missing == 0, $"{audit.Missing} records never scored: {audit.Gaps}\n{h.Tails()}");
        Assert.NotEmpty(alerts);
        // The faults reached the nodes: the broker's disconnection. The injected errors go to whichever client sends that
        // request next (the input consumers, the trainer lease's consumer, the replay's producer) and are retried inside
        // librdkafka, so which node logs them depends on timing: reported, not asserted.
        Assert.Contains(nodes, SawBrokerOutage);
        output.WriteLine($"nodes that logged an injected fetch error: {nodes.Count(n => n.Log.Contains("kafka consume error", StringComparison.Ordinal))}");
    }

    /// <summary>Whether the node's Kafka clients logged a broker's disconnection or a refused reconnect.</summary>
    private static bool SawBrokerOutage(NodeProcess node)
    {
        var log = node.Log;
        return log.Contains("Connection refused", StringComparison.Ordinal) || log.Contains("Disconnected", StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrainerPublishesAllSwitch_TrainerKilled_AnotherTakesOverTraining_PoisonToDeadLetters()
    {
        using var h = new ClusterHarness("trainer");
        var anyCandidate = new Dictionary<string, string> { ["Pipeline:Retraining:GateTolerance"] = "1000" };
        var nodes = ThreeNodes.Select(id => h.StartNode(id, anyCandidate)).ToList();
        await WaitAssignedAsync(h, 3);
        var records = Cards(30_000, 14).ToList();
        records.Insert(5_000, new ReplayRecord(null, "{not json"u8.ToArray()));
        records.Insert(10_000, new ReplayRecord(null, """{"amount": "a lot"}"""u8.ToArray()));
        records.Insert(15_000, new ReplayRecord(null, []));
        var replay = await h.ReplayAsync(records);
        await h.WaitAllCommittedAsync(replay.HighWatermarks, TimeSpan.FromMinutes(3));

        var statuses = await h.WaitStatusAsync(s => s.Count == 3 && s.Values.All(n => n.ModelVersion >= 1) && s.Values.Count(n => n.Role == "trainer") == 1,
            "every node on the trainer's first model, one trainer", Join);
        var first = statuses.Values.Single(n => n.Role == "trainer");
        // One node trained and published v1; every node installed it from the models topic.
        Assert.Single(nodes, n => n.Log.Contains("publishing model default v1 ", StringComparison.Ordinal));
        Assert.All(nodes, n => Assert.Contains("model default v1 epoch ", n.Log, StringComparison.Ordinal));

        nodes.Single(n => n.Id == first.NodeId).Kill();
        var clock = Stopwatch.StartNew();
        // How fast the role moves is printed, not asserted (a busy machine may be slow): the claim is that it moves.
        statuses = await h.WaitStatusAsync(s => s.Values.Any(n => n.NodeId != first.NodeId && n.Role == "trainer"), "a new trainer", TimeSpan.FromSeconds(120));
        var takeover = clock.Elapsed.TotalSeconds;
        var second = statuses.Values.Single(n => n.NodeId != first.NodeId && n.Role == "trainer");
        await h.ReplayAsync(Cards(10_000, 15)); // fresh rows for the new trainer's reservoir
        // Asked of a node that may not be the trainer: the singleton proxy takes it to the trainer.
        var asked = nodes.First(n => n.Id != first.NodeId && n.Id != second.NodeId);
        output.WriteLine($"retrain through {asked.Id}: {await asked.PostAdminAsync("/models/retrain", ClusterHarness.AdminToken)}");
        var version = first.ModelVersion + 1;
        await h.WaitStatusAsync(s => s.Values.Where(n => n.NodeId != first.NodeId).All(n => n.ModelVersion >= version), $"both survivors on v{version}", Join);
        Assert.Contains($"publishing model default v{version} ", nodes.Single(n => n.Id == second.NodeId).Log, StringComparison.Ordinal);
        output.WriteLine($"trainer {first.NodeId} killed; {second.NodeId} took the role after {takeover:F1}s  and published v{version}");

        var dead = KafkaTopics.ReadAll(h.Options, h.Options.DeadLetterTopic, 1);
        Assert.Equal(3, dead.Count);
        var reasons = dead.Select(d => Encoding.UTF8.GetString(d.Message.Headers.GetLastBytes(KafkaDeadLetterSink.ReasonHeader))).Order().ToList();
        output.WriteLine($"dead letters: {string.Join(", ", reasons)}");
        Assert.Contains(dead, d => Encoding.UTF8.GetString(d.Message.Value) == "{not json");
        Assert.All(dead, d => Assert.NotEmpty(d.Message.Headers.GetLastBytes(KafkaDeadLetterSink.DetailHeader)));
        await ClusterHarness.StopAsync(nodes.Where(n => n.Id != first.NodeId));
    }
}
