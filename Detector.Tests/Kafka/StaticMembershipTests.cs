using Confluent.Kafka;
using Detector.Streams.Kafka;
using Xunit;
using Xunit.Abstractions;

namespace Detector.Tests.Kafka;

/// <summary>
/// Static group membership (KIP-345, `Kafka:StaticMembership`) on the mock cluster. librdkafka 2.16's mock does not
/// honour it (a static member that closes and rejoins within the session timeout still makes the others revoke and be
/// reassigned; it answers no DescribeGroups either), so this shows what the mock can: the restarted member gets its
/// partitions back and nothing is lost. That the others do not rebalance is a real broker's property.
/// </summary>
public sealed class StaticMembershipTests(ITestOutputHelper output) : IDisposable
{
    private readonly MockCluster _cluster = new(3);

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task StaticMember_ClosedAndRestartedWithinTheSessionTimeout_GetsItsPartitionsBackAndNothingIsLost()
    {
        var options = new KafkaOptions
        {
            BootstrapServers = _cluster.BootstrapServers,
            GroupId = "static-group",
            InputTopic = "static-input",
            CommitInterval = TimeSpan.FromMilliseconds(200),
            SessionTimeout = TimeSpan.FromSeconds(10),
            StaticMembership = true,
        };
        _cluster.CreateTopic(options.InputTopic, 4);
        KafkaTopics.ProduceToEach(options, options.InputTopic, 4, 100);
        await using var a = Member(options, "node-a");
        var b = Member(options, "node-b");
        try
        {
            await Poll.UntilAsync(() => a.Partitions.Length == 2 && b.Partitions.Length == 2 && Committed(options).Values.Sum() == 400,
                "both members with 2 partitions and everything committed", TimeSpan.FromSeconds(60), a.Run, b.Run);
            var before = b.Partitions;
            var aChanges = a.Changes;
            await b.DisposeAsync();
            var restarted = System.Diagnostics.Stopwatch.StartNew();
            b = Member(options, "node-b");
            KafkaTopics.ProduceToEach(options, options.InputTopic, 4, 100);
            await Poll.UntilAsync(() => b.Partitions.Length > 0 && Committed(options).Values.Sum() == 800,
                "the restarted member assigned and everything committed", TimeSpan.FromSeconds(60), a.Run, b.Run);
            output.WriteLine($"restarted member assigned after {restarted.Elapsed}; A saw {a.Changes - aChanges} assignment changes; B before [{string.Join(",", before)}], after [{string.Join(",", b.Partitions)}]");
            await Poll.UntilAsync(() => a.Partitions.Length + b.Partitions.Length == 4 && b.Partitions.Length == 2, "the group settled", TimeSpan.FromSeconds(60), a.Run, b.Run);
            output.WriteLine($"settled: A saw {a.Changes - aChanges} assignment changes; B [{string.Join(",", b.Partitions)}]");
            Assert.Equal(before, b.Partitions);
            Assert.Equal(new Dictionary<int, long> { [0] = 200, [1] = 200, [2] = 200, [3] = 200 }, Committed(options));
        }
        finally
        {
            await b.DisposeAsync();
        }
    }

    private static Dictionary<int, long> Committed(KafkaOptions options) => KafkaTopics.Committed(options, options.GroupId, options.InputTopic, 4);

    /// <summary>A member that acknowledges everything it reads.</summary>
    private static SourceReader Member(KafkaOptions options, string id) => new(new KafkaRecordSource(options, id), hold: false);
}
