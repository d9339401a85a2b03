using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Detector.Tests.Kafka;
using Xunit;
using Xunit.Abstractions;

namespace Detector.Tests.Cluster;

/// <summary>
/// The trainer singleton on real node processes: kill -9 of its node in a 3-node and a 2-node cluster (the 2-node case
/// needs the Kafka lease: keep-majority would down the survivor). The takeover time is printed, not asserted (a busy
/// machine is slow); what is asserted is that a survivor trains again, that the lease intervals of the nodes never
/// overlap, and that no node installed a model of an older epoch than one it had installed.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed partial class TrainerTakeoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Join = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData(3)]
    [InlineData(2)]
    public async Task Kill9_TrainerNode_ASurvivorTrainsAgainWithNoOverlap(int count)
    {
        using var h = new ClusterHarness($"takeover{count}");
        var nodes = Enumerable.Range(1, count).Select(i => h.StartNode($"n{i}")).ToList();
        var statuses = await h.WaitStatusAsync(s => s.Count == count && s.Values.Count(n => n.Role == "trainer") == 1, $"{count} members, one trainer", Join);
        var trainer = statuses.Values.Single(n => n.Role == "trainer");
        var victim = nodes.Single(n => n.Id == trainer.NodeId);
        victim.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        statuses = await h.WaitStatusAsync(s => s.Values.Any(n => n.NodeId != victim.Id && n.Role == "trainer"), "a trainer on a survivor", TimeSpan.FromSeconds(90));
        var takeover = clock.Elapsed.TotalSeconds;
        var next = statuses.Values.Single(n => n.Role == "trainer");
        output.WriteLine($"{{\"case\":\"kill9-trainer\",\"nodes\":{count},\"takeover_s\":{takeover.ToString("F1", CultureInfo.InvariantCulture)}}} ({victim.Id} -> {next.NodeId}; target 15 s)");

        AssertNoOverlapAndNoStaleInstall(nodes, victim, killedAt, output);
        await ClusterHarness.StopAsync(nodes.Where(n => n != victim));
    }

    /// <summary>
    /// From every node's log: the holdings of the trainer lease never overlap and each has a larger epoch than the one
    /// before; no node installed a model of an older epoch than one it had installed. A killed node's open holding ends
    /// when it was killed.
    /// </summary>
    internal static void AssertNoOverlapAndNoStaleInstall(IReadOnlyList<NodeProcess> nodes, NodeProcess victim, DateTimeOffset killedAt, ITestOutputHelper output)
    {
        var intervals = nodes.SelectMany(n => LeaseIntervals(n.Log, n == victim ? killedAt : DateTimeOffset.MaxValue)).OrderBy(i => i.From).ToList();
        output.WriteLine(string.Join("\n", intervals.Select(i => $"  {i.Node} epoch {i.Epoch}: {i.From:HH:mm:ss.fff} - {(i.To == DateTimeOffset.MaxValue ? "now" : i.To.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture))}")));
        Assert.True(intervals.Count >= 2, "expected two holdings of the trainer lease");
        for (var i = 1; i < intervals.Count; i++)
        {
            Assert.True(intervals[i].From >= intervals[i - 1].To, $"{intervals[i].Node} took the lease at {intervals[i].From:O} while {intervals[i - 1].Node} held it until {intervals[i - 1].To:O}");
            Assert.True(intervals[i].Epoch > intervals[i - 1].Epoch, "a later holding has a larger epoch");
        }
        foreach (var node in nodes)
        {
            var epochs = Installed().Matches(node.Log).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
            Assert.True(epochs.SequenceEqual(epochs.Order()), $"{node.Id} installed epochs out of order: {string.Join(",", epochs)}");
        }
    }

    /// <summary>The node's holdings of the trainer lease, from its log (one still held ends at openEnd).</summary>
    internal static List<(string Node, long Epoch, DateTimeOffset From, DateTimeOffset To)> LeaseIntervals(string log, DateTimeOffset openEnd)
    {
        var intervals = new List<(string, long, DateTimeOffset, DateTimeOffset)>();
        var held = Held().Matches(log).ToList();
        var ended = Ended().Matches(log).ToDictionary(m => long.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture));
        foreach (var m in held)
        {
            var epoch = long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            var from = DateTimeOffset.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            var to = ended.TryGetValue(epoch, out var e) ? DateTimeOffset.Parse(e.Groups[3].Value, CultureInfo.InvariantCulture) : openEnd;
            intervals.Add((m.Groups[1].Value, epoch, from, to));
        }
        return intervals;
    }

    [GeneratedRegex(@"lease trainer held by \S+ \(node (\S+)\) from (\S+) epoch (\d+)")]
    private static partial Regex Held();

    [GeneratedRegex(@"lease trainer ended on node (\S+) \((.*?)\): held from (?:\S+) to (\S+) epoch (\d+)")]
    private static partial Regex Ended();

    [GeneratedRegex(@"model default v\d+ epoch (\d+) from \S+ installed")]
    private static partial Regex Installed();
}
