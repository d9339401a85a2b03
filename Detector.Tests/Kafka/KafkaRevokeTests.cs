using Detector.Streams.Generators;
using Detector.Streams.Kafka;
using Xunit;

namespace Detector.Tests.Kafka;

/// <summary>
/// A rebalance takes partitions away from a node that still holds their records: it drains them (waits for the pipeline
/// to acknowledge them), commits, and only then lets go; records of a partition it lost can never be committed by it.
/// </summary>
public sealed class KafkaRevokeTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly MockCluster _cluster = new(3);

    public void Dispose() => _cluster.Dispose();

    private KafkaOptions Options(string prefix, TimeSpan drain) => new()
    {
        BootstrapServers = _cluster.BootstrapServers,
        GroupId = $"{prefix}-group",
        InputTopic = $"{prefix}-input",
        CommitInterval = TimeSpan.FromMilliseconds(200),
        MaxInFlightRecords = 8_000,
        SessionTimeout = TimeSpan.FromSeconds(6),
        RevokeDrainTimeout = drain,
    };

    [Fact]
    public async Task Revoke_RecordsInFlight_DrainedAndCommittedBeforeTheNewOwnerReads()
    {
        var options = Options("drain", TimeSpan.FromMinutes(5));
        _cluster.CreateTopic(options.InputTopic, 2);
        var total = await FillAsync(options, 4_000);
        var log = new Detector.Tests.Devices.RecordingLogger();
        var a = new KafkaRecordSource(options, "a", log, chunkSize: 256);
        await using var readerA = new SourceReader(a, hold: true);
        await Poll.UntilAsync(() => a.InFlight == total, "node a holding every record unacknowledged", Patience, readerA.Run);
        long draining = -1;
        a.DrainStarted += n => Interlocked.Exchange(ref draining, n);

        var b = new KafkaRecordSource(options, "b", chunkSize: 256);
        await using var readerB = new SourceReader(b, hold: false);
        await Poll.UntilAsync(() => Interlocked.Read(ref draining) >= 0, "node a's revoke to start draining", Patience, readerA.Run, readerB.Run);

        // Eager rebalancing: a gives up everything, and b gets nothing until a's revoke has drained (and tried to commit).
        Assert.Equal(total, Interlocked.Read(ref draining));
        Assert.Equal(0, b.Consumed);
        readerA.Release();
        await Poll.UntilAsync(() => a.Partitions.Count == 1 && b.Partitions.Count == 1, "one partition each", Patience, readerA.Run, readerB.Run);
        var committed = KafkaTopics.Committed(options, options.GroupId, options.InputTopic, 2);
        var ends = KafkaTopics.Ends(options, options.InputTopic, 2);
        var moved = b.Partitions.Single().Partition;
        var revoked = Assert.Single(log.Lines, l => l.Message.StartsWith("kafka: revoked partitions [0,1] after draining", StringComparison.Ordinal)).Message;
        if (revoked.Contains("commit failed", StringComparison.Ordinal))
        {
            // The broker refused the commit during the rebalance (librdkafka's mock does): nothing is lost, the new owner
            // reads the moved partition again from the last committed offset (none here: from the start).
            Assert.Contains(log.Lines, l => l.Message.Contains("Group rebalance in progress", StringComparison.Ordinal));
            await Poll.UntilAsync(() => readerB.FirstOffsets.ContainsKey(moved), $"node b reading partition {moved}", Patience, readerB.Run);
            Assert.Equal(0, readerB.FirstOffsets[moved]);
            await Poll.UntilAsync(() => b.AcknowledgedRecords >= ends[moved], $"node b reading partition {moved} to its end", Patience, readerB.Run);
        }
        else
        {
            // Committed while draining: b starts where a's commit left its partition, new records only.
            Assert.Equal(ends.OrderBy(e => e.Key), committed.OrderBy(c => c.Key));
            await FillAsync(options, 400);
            await Poll.UntilAsync(() => readerB.FirstOffsets.ContainsKey(moved), $"node b reading partition {moved}", Patience, readerB.Run);
            Assert.Equal(ends[moved], readerB.FirstOffsets[moved]);
        }
    }

    [Fact]
    public async Task Revoke_DrainTimesOut_LateAcknowledgementsOfTheLostLanesAreNeverCommitted()
    {
        var options = Options("late", TimeSpan.FromSeconds(1));
        _cluster.CreateTopic(options.InputTopic, 2);
        var total = await FillAsync(options, 4_000);
        var a = new KafkaRecordSource(options, "a", chunkSize: 256);
        await using var readerA = new SourceReader(a, hold: true);
        await Poll.UntilAsync(() => a.InFlight == total, "node a holding every record unacknowledged", Patience, readerA.Run);
        var stale = readerA.Held.ToList();

        // b joins and holds what it reads too; a's drain gives up after a second and lets its lanes go.
        var b = new KafkaRecordSource(options, "b", chunkSize: 256);
        await using var readerB = new SourceReader(b, hold: true);
        await Poll.UntilAsync(() => a.Partitions.Count == 1 && b.Partitions.Count == 1 && b.Consumed > 0, "b reading its partition", Patience, readerA.Run, readerB.Run);

        // The pipeline acknowledges a's old records only now: they belong to lanes that are gone, so a commits nothing.
        foreach (var record in stale)
        {
            a.Acknowledge(record.Position);
        }
        await readerA.DisposeAsync(); // a's source commits whatever its live lanes have acknowledged: nothing
        await readerB.DisposeAsync();

        var committed = KafkaTopics.Committed(options, options.GroupId, options.InputTopic, 2);
        Assert.All(committed, c => Assert.True(c.Value < 0, $"partition {c.Key} committed at {c.Value} by acknowledgements of a lost lane"));
    }

    private static async Task<long> FillAsync(KafkaOptions options, int records)
    {
        await new KafkaReplay(options, options.InputTopic).RunAsync(ReplayRecords.FromGenerator(RecordGenerators.Create("fleet", 3), records),
            new ReplayOptions(), CancellationToken.None);
        return KafkaTopics.Ends(options, options.InputTopic, 2).Values.Sum();
    }
}
