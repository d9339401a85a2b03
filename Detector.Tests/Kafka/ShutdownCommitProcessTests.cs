using Detector.Streams.Audit;
using Detector.Streams.Generators;
using Detector.Streams.Kafka;
using Xunit;

namespace Detector.Tests.Kafka;

/// <summary>SIGTERM to a Kafka node with records in flight: it drains, commits exactly what it scored, and exits 0.</summary>
[Collection(ClusterProcesses.Name)]
public sealed class ShutdownCommitProcessTests
{
    [Fact]
    public async Task Sigterm_RecordsInFlight_CommitsExactlyWhatWasScoredThenExitsZero()
    {
        using var h = new ClusterHarness("sigterm");
        // No periodic commit within the test: whatever is committed at the end, the shutdown committed.
        var node = h.StartNode("n1", new Dictionary<string, string> { ["Kafka:CommitInterval"] = "01:00:00" });
        await h.WaitStatusAsync(s => s.TryGetValue("n1", out var n) && n.Partitions.Length == ClusterHarness.Partitions, "n1 holding every partition", TimeSpan.FromSeconds(60));
        var replay = await new KafkaReplay(h.Options, h.Options.InputTopic)
            .RunAsync(ReplayRecords.FromGenerator(RecordGenerators.Create("cards", 21), 18_000), new ReplayOptions(), CancellationToken.None);
        await h.WaitStatusAsync(s => s.TryGetValue("n1", out var n) && n.Scored >= 6_000, "n1 scoring records", TimeSpan.FromMinutes(2));
        Assert.All(h.Committed().Values, c => Assert.True(c < 0, $"committed {c} before the shutdown"));

        var code = await node.StopAsync(TimeSpan.FromSeconds(90));

        Assert.True(code == 0, node.Tail(40));
        var scored = ScoredRangeAudit.Read([node.AuditPath]);
        var committed = h.Committed();
        for (var partition = 0; partition < ClusterHarness.Partitions; partition++)
        {
            var offsets = scored.GetValueOrDefault($"{h.Options.InputTopic}:{partition}");
            var next = offsets is { Count: > 0 } ? offsets.Keys.Max() + 1 : -1001;
            Assert.True(committed[partition] == next, $"partition {partition}: committed {committed[partition]}, scored up to {next - 1}");
        }
        Assert.True(committed.Values.Sum() > 0, "nothing committed at shutdown");
        Assert.True(committed.Values.Sum() <= replay.HighWatermarks.Values.Sum());
    }
}
