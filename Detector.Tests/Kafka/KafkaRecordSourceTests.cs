using Confluent.Kafka;
using Detector.Streams.Kafka;
using Detector.Streams.Sources;
using Xunit;

namespace Detector.Tests.Kafka;

/// <summary>The input consumer's view of its partitions, on the mock cluster.</summary>
public sealed class KafkaRecordSourceTests : IDisposable
{
    private readonly MockCluster _cluster = new(3);

    public void Dispose() => _cluster.Dispose();

    /// <summary>
    /// The rebalance case of issue 13: a partition taken over from a node that had committed everything reported
    /// committed offset 0 and the whole partition as lag until new records arrived (a quiet topic then looks ~300k
    /// records behind after every rebalance). At assignment, before a record is read, the status must already say
    /// where the group is and how far behind.
    /// </summary>
    [Fact]
    public async Task Assigned_PartitionsTheGroupHadCommitted_ReportCommittedOffsetAndTrueLagFromTheAssignment()
    {
        var options = new KafkaOptions
        {
            BootstrapServers = _cluster.BootstrapServers,
            GroupId = "lag-group",
            InputTopic = "lag-input",
            CommitInterval = TimeSpan.FromMilliseconds(200),
            SessionTimeout = TimeSpan.FromSeconds(6),
        };
        _cluster.CreateTopic(options.InputTopic, 2);
        KafkaTopics.ProduceToEach(options, options.InputTopic, 2, 100);
        // The previous owner: all of partition 0 handled, partition 1 up to offset 60.
        using (var previous = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfigs.Consumer(options, options.GroupId, "previous-owner")).Build())
        {
            previous.Commit([new TopicPartitionOffset(options.InputTopic, 0, 100), new TopicPartitionOffset(options.InputTopic, 1, 60)]);
        }
        Assert.Equal(new Dictionary<int, long> { [0] = 100, [1] = 60 }, KafkaTopics.Committed(options, options.GroupId, options.InputTopic, 2));

        var source = new KafkaRecordSource(options, "new-owner");
        IReadOnlyList<PartitionStatus>? atAssignment = null;
        source.AssignmentChanged += () => atAssignment ??= source.Partitions.Count > 0 ? source.Partitions : null;
        // Reads without acknowledging anything: only the assignment can move the status.
        await using (var reader = new SourceReader(source, hold: true))
        {
            await Poll.UntilAsync(() => Volatile.Read(ref atAssignment) is not null, "the assignment", TimeSpan.FromSeconds(60), reader.Run);

            Assert.Equal([new PartitionStatus(options.InputTopic, 0, 100, 0), new PartitionStatus(options.InputTopic, 1, 60, 40)], atAssignment!);
            await Poll.UntilAsync(() => source.Consumed >= 40, "partition 1's unacknowledged records read", TimeSpan.FromSeconds(30), reader.Run);
            await Poll.UntilAsync(() => source.Partitions.SequenceEqual(atAssignment!), "the status after reading without acknowledging",
                TimeSpan.FromSeconds(10), reader.Run);
        }
        Assert.Equal(new Dictionary<int, long> { [0] = 100, [1] = 60 }, KafkaTopics.Committed(options, options.GroupId, options.InputTopic, 2));
    }
}
